import { test } from 'node:test';
import assert from 'node:assert/strict';
import { emptyResult, skippedResult, type ScenarioResult } from '../../bench/lib/result.js';
import { renderChart, escapeXml, logLength } from '../../bench/lib/report/svg.js';
import { scenarioTable, targetTable } from '../../bench/lib/report/table.js';
import { checkTargets, rssGrowth } from '../../bench/lib/report/targets.js';
import { parsePrometheus, diffCounters, dbCacheFigures, gcFigures } from '../../bench/lib/prometheus.js';

/** Well-formedness of the SVG we write: balanced tags, quoted attributes, no bare `&` or `<` in text. */
function wellFormed(xml: string): boolean {
  const stack: string[] = [];
  const tag = /<(\/?)([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>/g;
  let last = 0;
  for (let m = tag.exec(xml); m; m = tag.exec(xml)) {
    const text = xml.slice(last, m.index);
    if (/[<>]/.test(text) || /&(?!(amp|lt|gt|quot|apos);)/.test(text)) return false;
    last = tag.lastIndex;
    if (m[1]) {
      if (stack.pop() !== m[2]) return false;
    } else if (!m[4]) stack.push(m[2]!);
  }
  return stack.length === 0 && !/[<>]/.test(xml.slice(last)) && xml.trimStart().startsWith('<svg');
}

function scenario(name: string, rps: number, p99: number, extra: Partial<ScenarioResult> = {}): ScenarioResult {
  return {
    ...emptyResult(name, `${name} <&> "mix"`, 1.5),
    load: { generator: 'wrk', requests: rps * 10, durationS: 10, rps, latency: { mean: p99 / 3, p50: p99 / 4, p90: p99 / 2, p99, max: p99 * 2 }, httpErrors: 0, socketErrors: 0 },
    ...extra,
  };
}

const results = [
  scenario('baseline', 10_000, 12),
  scenario('read-mix', 6_000, 20, { cacheHitRate: 0.99, sqlPerRequest: 0.001 }),
  scenario('read-mix-nocache', 1_000, 90, { sqlPerRequest: 2 }),
  skippedResult('contact', 'contact posts', 'no route', 1),
];

test('the scenario table puts throughput beside the guide and the baseline as ratios', () => {
  const table = scenarioTable(results);
  const row = table.split('\n').find((l) => l.startsWith('| read-mix |'))!;
  assert.match(row, /\| 6,000 req\/s \| 20x \| 0\.60x \|/);
  assert.match(table, /\| contact \| skipped: no route \|/);
  // Every row has as many cells as the header.
  const cells = (l: string) => l.split(' | ').length;
  const lines = table.split('\n');
  assert.ok(lines.slice(2, 5).every((l) => cells(l) === cells(lines[0]!)));
});

test('targets are met or missed with the shortfall, and n/a when not measured', () => {
  const checks = checkTargets(results, []);
  const byName = (t: string) => checks.find((c) => c.target.startsWith(t))!;
  assert.equal(byName('read-mix >= 5,000').met, true);
  assert.equal(byName('read-mix >= 50 %').met, true);
  assert.equal(byName('read-mix / read-mix-nocache').met, true);
  assert.equal(byName('contact p99').met, null);
  const slow = checkTargets([scenario('read-mix', 4_000, 30)], []);
  assert.equal(slow.find((c) => c.target.startsWith('read-mix p99'))!.note, '5.0 ms over');
  assert.equal(slow[0]!.note, '20 % short');
  assert.match(targetTable(checks), /\| ✓ \|/);
});

test('worker RSS counts as growing only past 5 % and 5 MB from the middle of the run to its end', () => {
  const flat = Array.from({ length: 10 }, (_, i) => ({ t: i * 1000, mb: 150 + (i % 2) }));
  assert.equal(rssGrowth(flat)!.grew, false);
  const rising = Array.from({ length: 10 }, (_, i) => ({ t: i * 1000, mb: 100 + i * 10 }));
  assert.equal(rssGrowth(rising)!.grew, true);
  assert.equal(rssGrowth([]), undefined);
});

test('the SVG chart is well-formed XML with one pair of bars per measured scenario, text escaped', () => {
  const svg = renderChart(results, 'run <1> & "quick"');
  assert.equal(wellFormed(svg), true);
  assert.equal(wellFormed(svg.replace('</svg>', '')), false);
  assert.equal(wellFormed(svg.replace('&amp;', '&')), false);
  assert.equal((svg.match(/<rect /g) ?? []).length, 1 + 3 * 2);
  assert.ok(svg.includes('run &lt;1&gt; &amp; &quot;quick&quot;'));
  assert.equal(escapeXml('<a&b>'), '&lt;a&amp;b&gt;');
});

test('bars grow with the logarithm of the value', () => {
  assert.equal(logLength(1000, 1000, 300), 300);
  assert.equal(logLength(10, 1000, 300), 100);
  assert.equal(logLength(0, 1000, 300), 0);
});

test('Prometheus counters are summed over labels and diffed into SQL per request and hit rate', () => {
  const before = parsePrometheus('# HELP x\nhttp_requests_total{route="/a",status="200"} 10\nhttp_requests_total{route="/b",status="200"} 5\ndb_sql_statements_total 30\ncache_hits_total 0\ncache_misses_total 0\n');
  const after = parsePrometheus('http_requests_total{route="/a",status="200"} 110\nhttp_requests_total{route="/b",status="200"} 5\ndb_sql_statements_total 80\ncache_hits_total 90\ncache_misses_total 10\n');
  assert.equal(before.http_requests_total, 15);
  const figures = dbCacheFigures(diffCounters(before, after));
  assert.deepEqual(figures, { httpRequests: 100, sqlPerRequest: 0.5, cacheHitRate: 0.9 });
  assert.deepEqual(dbCacheFigures(undefined), { httpRequests: null, sqlPerRequest: null, cacheHitRate: null });
});

test("garbage collection is the diff of the GC histogram's count and sum over every kind", () => {
  const before = parsePrometheus(
    'nodejs_gc_duration_seconds_sum{kind="minor"} 0.5\nnodejs_gc_duration_seconds_sum{kind="major"} 0.25\nnodejs_gc_duration_seconds_count{kind="minor"} 40\nnodejs_gc_duration_seconds_count{kind="major"} 2\n',
  );
  const after = parsePrometheus(
    'nodejs_gc_duration_seconds_sum{kind="minor"} 0.75\nnodejs_gc_duration_seconds_sum{kind="major"} 0.3\nnodejs_gc_duration_seconds_count{kind="minor"} 90\nnodejs_gc_duration_seconds_count{kind="major"} 3\n',
  );
  const gc = gcFigures(diffCounters(before, after));
  assert.equal(gc?.collections, 51);
  assert.ok(Math.abs(gc!.pauseMs - 300) < 1e-6);
  assert.equal(gcFigures(diffCounters({}, { http_requests_total: 1 })), null);
  assert.equal(gcFigures(undefined), null);
});

test('read-mix is judged against /healthz on the same API: at least 50 %, p99 at most 25 ms', () => {
  const met = checkTargets([scenario('healthz', 20_000, 8), scenario('read-mix', 12_000, 20)], []);
  const row = (checks: typeof met) => checks.find((c) => c.target.startsWith('read-mix >= 50 % of /healthz'))!;
  assert.equal(row(met).met, true);
  assert.equal(row(met).measured, '60 % (12,000 vs 20,000 req/s)');
  const missed = checkTargets([scenario('healthz', 25_000, 8), scenario('read-mix', 1_400, 1000)], []);
  assert.equal(row(missed).met, false);
  assert.equal(row(missed).note, '44 points short');
  assert.equal(missed.find((c) => c.target === 'read-mix p99 <= 25 ms')!.met, false);
  assert.equal(row(checkTargets([scenario('read-mix', 1_000, 10)], [])).met, null);
});

test('the cost of API_MAX_REQUESTS=1000 is read-mix-recycled beside read-mix, with the replacements counted', () => {
  const recycled = scenario('read-mix-recycled', 1_500, 900, { extra: { workersReplaced: 120 } });
  const checks = checkTargets([scenario('read-mix', 30_000, 10), recycled], []);
  const cost = checks.find((c) => c.target.startsWith('cost of API_MAX_REQUESTS=1000'))!;
  assert.equal(cost.met, null);
  assert.equal(cost.measured, '1,500 vs 30,000 req/s (5 %), p99 900.0 vs 10.0 ms');
  assert.equal(cost.note, '120 workers replaced in the window');
  assert.match(targetTable(checks), /\| cost of API_MAX_REQUESTS=1000 .* \| – \| 120 workers replaced/);
});

test("the game's targets: every stopPoll within 2 s of its poll's end, every answer once, every poll once", () => {
  const extra = {
    questions: 10,
    pollsSent: 10,
    sendPollCalls: 10,
    pollsStoppedOnce: 10,
    pollsNotStopped: 0,
    closeLatenessMaxMs: 1_200,
    answersSent: 2_000,
    answersAccepted: 2_000,
    answersStored: 2_000,
    answersDouble: 0,
    resultsMessages: 1,
  };
  const gameRows = (x: Record<string, number>) => checkTargets([scenario('game', 18, 12, { extra: x })], []).filter((c) => c.target.startsWith('game:'));
  assert.deepEqual(
    gameRows(extra).map((c) => c.met),
    [true, true, true],
  );
  const late = gameRows({ ...extra, closeLatenessMaxMs: 2_450, answersStored: 1_990, resultsMessages: 2 });
  assert.deepEqual(
    late.map((c) => c.met),
    [false, false, false],
  );
  assert.equal(late[0]!.note, '450 ms over');
  const unstopped = gameRows({ ...extra, pollsNotStopped: 1, pollsStoppedOnce: 9 })[0]!;
  assert.equal(unstopped.met, false);
  assert.equal(unstopped.measured, '1 of 10 polls never stopped');
  // Not run: not measured, neither met nor missed.
  assert.deepEqual(
    checkTargets([], [])
      .filter((c) => c.target.startsWith('game:'))
      .map((c) => c.met),
    [null, null, null],
  );
});
