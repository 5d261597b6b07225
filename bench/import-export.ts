/**
 * `npx tsx bench/import-export.ts`: the import and export targets of issue 18, on services the test harness
 * starts (PostgreSQL, Redis, Temporal dev server) or the TEST_* URLs it is given.
 *
 * 1. Import: a CSV of 100 quizzes x 100 questions (10,000) posted to POST /admin/imports of an in-process API,
 *    written by an in-process worker; time from the POST to `done`, with the progress seen on the way.
 * 2. Results export: 100,000 answers (10,000 players x 10 questions, inserted with SQL) streamed by a separate
 *    API process (npm run api, one HTTP worker) as CSV and as xlsx; time to the last byte and the growth of
 *    that HTTP worker's RSS over its value before the request (sampled every 20 ms from /proc).
 * `--results-only` skips the import. Prints one JSON line per measure. Numbers depend on the machine's load; docs/import-export.md keeps them dated.
 */
import fs from 'node:fs';
import type { Env } from '../src/config.js';
import { startApiProcess, startTestApi, type TestApi } from '../test/helpers/api.js';
import { startTestWorker, workerEnv } from '../test/helpers/worker.js';
import { postImport, waitForImport } from '../test/helpers/imports.js';
import { createQuiz } from '../test/helpers/quizzes.js';
import { HTTP_WORKER_FLAG } from '../src/api/cluster/messages.js';

const QUIZZES = 100;
const QUESTIONS = 100;
const PLAYERS = 10_000;

function importCsv(): Buffer {
  const lines = ['quiz,question,option1,option2,option3,option4,correct,explanation,timeLimitS'];
  for (let q = 0; q < QUIZZES; q++) {
    for (let n = 0; n < QUESTIONS; n++) lines.push(`Bench quiz ${q},Question ${n} of quiz ${q}?,Answer A,Answer B,Answer C,Answer D,${(n % 4) + 1},Because ${n}.,${n % 2 ? 30 : ''}`);
  }
  return Buffer.from(lines.join('\n'));
}

/** The HTTP workers (forked with --http-worker) of the API process listening on `port`. */
function workerPids(port: string): number[] {
  const pids: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const environ = fs.readFileSync(`/proc/${entry}/environ`, 'utf8').split('\0');
      const argv = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (environ.includes(`PORT=${port}`) && argv.includes(HTTP_WORKER_FLAG)) pids.push(Number(entry));
    } catch {
      // gone, or not ours
    }
  }
  return pids;
}
const rssOf = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) * 1024;

async function run(): Promise<void> {
  const env = await workerEnv({ TASK_TIMEOUT_S: '60', LOG_LEVEL: 'warn' });
  const [api, worker] = await Promise.all([startTestApi(env), startTestWorker(env, { background: true })]);
  try {
    const admin = await api.signIn('admin');
    if (!process.argv.includes('--results-only')) await measureImport(api, admin);
    await worker.stop();
    await measureResults(api, admin, env);
  } finally {
    await Promise.allSettled([api.close(), worker.stop()]);
  }
}

async function measureImport(api: TestApi, admin: string): Promise<void> {
  const content = importCsv();
  const started = Date.now();
  const posted = await postImport(api, admin, { content, name: 'bench.csv', format: 'csv' });
  if (posted.status !== 202) throw new Error(`import answered ${posted.status}`);
  const seen: string[] = [];
  const poll = setInterval(() => {
    void api.request('GET', `/api/v1/admin/imports/${posted.body.id}`, { token: admin }).then((r) => seen.push(`${r.body.progress.done}/${r.body.progress.total}`));
  }, 1000);
  const done = await waitForImport(api, admin, posted.body.id);
  clearInterval(poll);
  console.log(
    JSON.stringify({
      measure: 'import',
      questions: QUIZZES * QUESTIONS,
      bytes: content.length,
      seconds: (Date.now() - started) / 1000,
      status: done.status,
      quizzes: done.quizzes.length,
      errors: done.errors.length,
      progressSeen: seen,
    }),
  );
}

async function measureResults(api: TestApi, admin: string, env: Env): Promise<void> {
  const quiz = await createQuiz(api, admin, 10);
  const db = api.deps.db.prisma;
  const quizId = (await db.quiz.findUniqueOrThrow({ where: { slug: quiz.slug } })).id;
  await db.$executeRaw`INSERT INTO users (telegram_id, username, updated_at) SELECT 700000000 + g, 'bench' || g, now() FROM generate_series(1, ${PLAYERS}) g`;
  await db.$executeRaw`INSERT INTO attempts (user_id, quiz_id, total, score, points, finished_at) SELECT id, ${quizId}, 10, 5, 5000, now() FROM users WHERE telegram_id BETWEEN 700000001 AND ${700_000_000 + PLAYERS}`;
  await db.$executeRaw`
    INSERT INTO answers (attempt_id, question_id, option_id, option_ids, correct, credit, points, elapsed_ms, seq)
    SELECT t.id, q.id, o.id, ARRAY[o.id], o.correct, CASE WHEN o.correct THEN 1 ELSE 0 END, CASE WHEN o.correct THEN 1000 ELSE 0 END, 1500, q.position + 1
    FROM attempts t JOIN questions q ON q.quiz_id = t.quiz_id JOIN options o ON o.question_id = q.id AND o.position = (t.id + q.position) % 3
    WHERE t.quiz_id = ${quizId}`;
  // What autovacuum would do soon after such a bulk insert: without statistics the planner hash-joins whole tables.
  await db.$executeRaw`ANALYZE users, attempts, answers, questions, options`;
  const answers = await db.answer.count({ where: { attempt: { quizId } } });

  const server = await startApiProcess(env);
  try {
    const port = new URL(server.url).port;
    for (const format of ['csv', 'xlsx'] as const) {
      const [pid] = workerPids(port);
      if (!pid) throw new Error('no HTTP worker found');
      const before = rssOf(pid);
      let peak = before;
      const sampler = setInterval(() => (peak = Math.max(peak, rssOf(pid))), 20);
      const t0 = Date.now();
      const res = await fetch(`${server.url}/api/v1/admin/quizzes/${quiz.slug}/results?format=${format}`, { headers: { Authorization: `Bearer ${admin}` } });
      let bytes = 0;
      for await (const chunk of res.body!) bytes += (chunk as Uint8Array).length;
      const seconds = (Date.now() - t0) / 1000;
      clearInterval(sampler);
      console.log(JSON.stringify({ measure: `results-${format}`, answers, status: res.status, bytes, seconds, rssBeforeMB: +(before / 2 ** 20).toFixed(1), rssGrowthMB: +((peak - before) / 2 ** 20).toFixed(1) }));
    }
  } finally {
    await server.close();
  }
}

run().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
