/**
 * `answer-flow`: each connection plays users one after another: a bot signs the user in (POST /auth/bot), the user
 * starts an attempt, answers ANSWERS questions and finishes. Stateful, so it runs on autocannon's request
 * pipeline (one process: these are writes, far below its ~4,000 requests/s).
 */
import autocannon from 'autocannon';
import type { BenchContext } from '../lib/context.js';
import { fromAutocannon } from '../lib/load/autocannon.js';
import type { LoadSpec } from '../lib/load/types.js';
import { fillResult, measureLoad } from '../lib/measure.js';
import { machineLoad } from '../lib/proc-sampler.js';
import { emptyResult, skippedResult, type ScenarioResult } from '../lib/result.js';
import type { DemoKeys, QuizKey } from './demo-data.js';
import { checkScoring } from './answer-flow-check.js';

const ANSWERS = 5;

interface Flow {
  quiz?: QuizKey;
  token?: string;
  attemptId?: string;
}

/** autocannon's request step, typed with our context (its own types say `object`). */
interface Req {
  method: 'POST';
  path?: string;
  setupRequest?: (req: autocannon.Request, ctx: Flow) => autocannon.Request | undefined;
  onResponse?: (status: number, body: string, ctx: Flow) => void;
}

/** The request pipeline of one user's flow; `onFinish` counts completed flows. */
function flowRequests(quizzes: QuizKey[], botToken: string, onFinish: () => void): Req[] {
  let nextUser = 700_000_000 + Math.floor(Math.random() * 100_000_000);
  const json = { 'content-type': 'application/json' };
  const authed = (ctx: Flow) => ({ ...json, authorization: `Bearer ${ctx.token}` });
  const parse = (body: string) => JSON.parse(body) as Record<string, unknown>;
  const signIn: Req = {
    method: 'POST',
    path: '/api/v1/auth/bot',
    setupRequest: (req, ctx) => {
      ctx.quiz = quizzes[Math.floor(Math.random() * quizzes.length)];
      ctx.token = ctx.attemptId = undefined;
      return { ...req, headers: { ...json, authorization: `Bot ${botToken}` }, body: JSON.stringify({ telegramId: (nextUser += 1) }) };
    },
    onResponse: (status, body, ctx) => void (status === 200 && (ctx.token = String(parse(body).token))),
  };
  const start: Req = {
    method: 'POST',
    setupRequest: (req, ctx) => (ctx.token ? { ...req, path: `/api/v1/quizzes/${ctx.quiz!.slug}/attempts`, headers: authed(ctx) } : undefined),
    onResponse: (status, body, ctx) => void (status === 201 && (ctx.attemptId = String(parse(body).id))),
  };
  const answer = (i: number): Req => ({
    method: 'POST',
    setupRequest: (req, ctx) => {
      if (!ctx.attemptId) return undefined;
      const q = ctx.quiz!.questions[i]!;
      const optionId = q.optionIds[Math.floor(Math.random() * q.optionIds.length)];
      return { ...req, path: `/api/v1/attempts/${ctx.attemptId}/answers`, headers: authed(ctx), body: JSON.stringify({ questionId: q.id, optionId }) };
    },
  });
  const finish: Req = {
    method: 'POST',
    setupRequest: (req, ctx) => (ctx.attemptId ? { ...req, path: `/api/v1/attempts/${ctx.attemptId}/finish`, headers: authed(ctx) } : undefined),
    onResponse: (status) => void (status === 200 && onFinish()),
  };
  return [signIn, start, ...Array.from({ length: ANSWERS }, (_, i) => answer(i)), finish];
}

export async function runAnswerFlow(ctx: BenchContext, keys: DemoKeys): Promise<ScenarioResult> {
  const description = `bot sign-in, start attempt, ${ANSWERS} answers, finish; a new user per flow`;
  const quizzes = keys.quizzes.filter((q) => q.questions.length >= ANSWERS);
  if (!ctx.botToken) return skippedResult('answer-flow', description, 'no BOT_API_TOKEN (pass --bot-token with --api-url)', machineLoad().loadAvg1);
  if (quizzes.length === 0) return skippedResult('answer-flow', description, `no quiz with ${ANSWERS} questions`, machineLoad().loadAvg1);
  const result = emptyResult('answer-flow', description, machineLoad().loadAvg1);
  let finished = 0;
  const run = async (spec: LoadSpec) => {
    finished = 0;
    const requests = flowRequests(quizzes, ctx.botToken!, () => (finished += 1));
    const raw = await autocannon({ url: spec.baseUrl, connections: spec.connections, duration: spec.durationS, timeout: 10, requests: requests as unknown as autocannon.Request[] });
    return fromAutocannon(raw, 'autocannon (1 process, request pipeline)');
  };
  const measured = await measureLoad(ctx, { baseUrl: ctx.api.url, connections: ctx.options.connections, requests: [] }, { pid: ctx.api.pid, metricsUrl: `${ctx.api.url}/metrics` }, run);
  fillResult(result, measured);
  result.extra = { flowsFinished: finished, flowsPerS: finished / measured.load.durationS, requestsPerFlow: ANSWERS + 3 };
  const databaseUrl = ctx.app?.env.DATABASE_URL ?? ctx.options.given.databaseUrl;
  if (!databaseUrl) {
    result.notes.push('scoring check skipped: no database URL (pass --database-url with --api-url)');
    return result;
  }
  try {
    const check = await checkScoring(databaseUrl, ctx.api.url);
    Object.assign(result.extra, check);
    const line =
      `scoring check: ${check.statsMismatches} of ${check.usersChecked} users' statistics differ from a recomputation from the answers table; ` +
      `all-time leaderboard (top ${check.leaderboardChecked}, with and without ?period=all) ${check.leaderboardMismatches} entries differ from SQL's`;
    result.notes.push(line);
    console.log(`  ${line}`);
  } catch (err) {
    result.notes.push(`scoring check failed: ${(err as Error).message}`);
  }
  return result;
}
