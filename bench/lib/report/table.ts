/** The Markdown report: scenarios beside the old guide and the baseline, the guide's figures, the targets. */
import type { ScenarioResult } from '../result.js';
import { formatNumber, formatPercent, formatRatio, ratio } from '../stats.js';
import { OLD_GUIDE, type TargetCheck } from './targets.js';
import type { ChangedSetting } from '../stack/settings.js';

export interface RunInfo {
  startedAt: string;
  mode: 'quick' | 'full';
  machine: string;
  generator: string;
  connections: number;
  apiWorkers: number;
  warmupS: number;
  durationS: number;
  notes: string[];
  /** What the app's environment changes from the defaults users get, and why (empty: a given stack). */
  settings: ChangedSetting[];
}

const GUIDE_RPS = OLD_GUIDE.rpsAfter.high;
const GUIDE_AVG_MS = (OLD_GUIDE.avgMsAfter.low + OLD_GUIDE.avgMsAfter.high) / 2;
const ms = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? 'n/a' : v < 10 ? v.toFixed(2) : v.toFixed(1));
const escapeCell = (s: string) => s.replace(/\|/g, '\\|');

/** One row per scenario: throughput with its ratios to the guide's best and to the baseline, latencies, errors, DB, cache, processes. */
export function scenarioTable(results: readonly ScenarioResult[]): string {
  const baseline = results.find((r) => r.name === 'baseline')?.load?.rps;
  const head = [
    '| Scenario | Throughput | × guide (300 req/s) | × baseline | p50 ms | p90 ms | p99 ms | max ms | avg ms (guide 80-100) | errors | SQL/req | hit rate | server CPU | peak RSS/worker | machine busy, load avg |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  const rows = results.map((r) => {
    if (r.skipped || !r.load) return `| ${r.name} | skipped: ${escapeCell(r.skipped ?? 'no figures')} |${' |'.repeat(13)}`;
    const l = r.load;
    const http = r.unit === 'req/s';
    const errors = l.httpErrors + l.socketErrors;
    return [
      r.name,
      `${formatNumber(l.rps, l.rps < 100 ? 1 : 0)} ${r.unit}`,
      http ? formatRatio(ratio(l.rps, GUIDE_RPS)) : '',
      http ? formatRatio(ratio(l.rps, baseline)) : '',
      ms(l.latency.p50),
      ms(l.latency.p90),
      ms(l.latency.p99),
      ms(l.latency.max),
      http ? `${ms(l.latency.mean)} (${formatRatio(ratio(GUIDE_AVG_MS, l.latency.mean))} faster)` : ms(l.latency.mean),
      errors === 0 ? '0' : `${formatNumber(errors)} (${formatPercent(errors / Math.max(1, l.requests + l.socketErrors))})`,
      r.sqlPerRequest === null ? 'n/a' : r.sqlPerRequest.toFixed(r.sqlPerRequest < 1 ? 3 : 2),
      formatPercent(r.cacheHitRate),
      r.cpuPercent === null ? 'n/a' : `${Math.round(r.cpuPercent)} %`,
      r.peakWorkerRssMb === null ? 'n/a' : `${Math.round(r.peakWorkerRssMb)} MB`,
      `${r.machineBusyPercent === null ? 'n/a' : `${Math.round(r.machineBusyPercent)} %`}, ${r.loadAvg1.toFixed(1)}`,
    ]
      .join(' | ')
      .replace(/^/, '| ')
      .concat(' |');
  });
  return [...head, ...rows].join('\n');
}

export function guideTable(rows: { figure: string; guide: string; measured: string }[]): string {
  return ['| Figure | Old guide (before → after) | Here (cache off → on) |', '| --- | --- | --- |', ...rows.map((r) => `| ${r.figure} | ${r.guide} | ${r.measured} |`)].join('\n');
}

export function targetTable(checks: TargetCheck[]): string {
  const mark = (m: boolean | null) => (m === null ? '–' : m ? '✓' : '✗');
  return [
    '| Target (issues 6, 14, 16, 17) | Measured | Met | Note |',
    '| --- | --- | :---: | --- |',
    ...checks.map((c) => `| ${c.target} | ${escapeCell(c.measured)} | ${mark(c.met)} | ${escapeCell(c.note ?? '')} |`),
  ].join('\n');
}

/** The variables the run sets away from the defaults of .env.example and the README, each with its reason. */
export function settingsTable(settings: readonly ChangedSetting[]): string {
  if (settings.length === 0) return 'Settings: the defaults of `.env.example` throughout (or a stack given with --api-url).';
  return [
    'Settings changed from the defaults of `.env.example` for the worker and every API (read-mix-nocache and read-mix-recycled change one more each, named in their rows); everything else is as shipped:',
    '',
    '| Setting | Value | Why |',
    '| --- | --- | --- |',
    ...settings.map((s) => `| \`${s.name}\` | ${escapeCell(s.value)} | ${escapeCell(s.reason)} |`),
  ].join('\n');
}

/** The whole Markdown report of a run. */
export function markdownReport(info: RunInfo, results: readonly ScenarioResult[], guide: { figure: string; guide: string; measured: string }[], checks: TargetCheck[]): string {
  const details = results.flatMap((r) => {
    const extra = Object.entries(r.extra).map(([k, v]) => `${k}=${typeof v === 'number' ? +v.toFixed(3) : v}`);
    const lines = [...(extra.length ? [extra.join(', ')] : []), ...r.notes];
    return lines.length ? [`- **${r.name}** (${r.description}): ${lines.join('; ')}`] : [`- **${r.name}**: ${r.description}`];
  });
  return [
    `### Run of ${info.startedAt} (${info.mode})`,
    '',
    `${info.machine}; load generator ${info.generator}, ${info.connections} keep-alive connections; API_WORKERS=${info.apiWorkers}; ${info.warmupS} s warm-up, ${info.durationS} s measured per scenario.`,
    ...info.notes.map((n) => `- ${n}`),
    '',
    settingsTable(info.settings),
    '',
    scenarioTable(results),
    '',
    guideTable(guide),
    '',
    targetTable(checks),
    '',
    ...details,
    '',
  ].join('\n');
}
