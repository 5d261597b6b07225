/**
 * `game`: one whole group game as issue 17 states it: a 10-question quiz, the bot registered with its webhook at
 * the API (getMe and setWebhook against the fake Bot API the app's TELEGRAM_API_ROOT points at), the game started
 * with `POST /api/v1/games` in a fake supergroup, and for each poll the fake receives, 200 players post a
 * poll_answer to the webhook at random moments of its open period (src/dev/telegram-group.ts, which the demo
 * uses too). Measured from the fake's records: each stopPoll minus its poll's end (sent + open_period); the target
 * is at most 2 s for every question. Then: every answer stored once, each poll sent and stopped once, one results
 * message. The worker and the dev server run where the stack put them (idle CPU group, niceness 19).
 */
import type { Poll } from '@grammyjs/types';
import pg from 'pg';
import type { BenchContext } from '../lib/context.js';
import { maxLateness, pollClosings } from '../lib/poll-closing.js';
import { machineLoad, sampleProcesses } from '../lib/proc-sampler.js';
import { emptyResult, type ScenarioResult } from '../lib/result.js';
import { summarize } from '../lib/stats.js';
import { botSignIn, call } from './demo-data.js';
import { DEFAULT_PAUSE_SECONDS, DEFAULT_QUESTION_SECONDS } from '../../src/domain/games.js';
import { defaultPlayer, isResultsMessage, sentPolls, startPlayers, type PlayerAnswer } from '../../src/dev/telegram-group.js';
import { readClosingSteps, type ClosingSteps } from '../lib/game-history.js';
import { describeLost, lostAnswers } from '../lib/game-answers.js';

const BOT_TOKEN = '990200001:AAH-bench-game-bot-token';
const BOT_ID = BOT_TOKEN.split(':')[0]!;
const CHAT_ID = -1_009_902_000_001;
const QUESTIONS = 10;
const PLAYERS = 200;
/** Half the default 20 s, and a 1 s pause: the game takes under two minutes, the scenario under 2.5. */
const QUESTION_SECONDS = 10;
const PAUSE_SECONDS = 1;
/** The first tenth of the players answer the moment they see the poll (the fake's poll is seen within 20 ms). */
const EAGER_PLAYERS = PLAYERS / 10;
/** The last answer leaves this long before the poll's end, so that it arrives while the poll is open. */
const LAST_ANSWER_MARGIN_MS = 500;

/** A 10-question quiz of its own, published, so the game's figures are this run's alone. */
function gameQuiz(stamp: string) {
  return {
    title: `Bench game ${stamp}`,
    slug: `bench-game-${stamp}`,
    category: 'bench-game',
    questions: Array.from({ length: QUESTIONS }, (_, q) => ({
      text: `Bench game question ${q + 1}: which option is right?`,
      options: ['A', 'B', 'C', 'D'].map((o, i) => ({ text: `Option ${o}`, correct: i === q % 4 })),
    })),
  };
}

/** Player n's answer: eager players at once, the rest spread evenly over the open period; right 60 % of the time. */
function answerOf(n: number, poll: Poll): PlayerAnswer {
  const openMs = (poll.open_period ?? QUESTION_SECONDS) * 1000;
  const delayMs = n <= EAGER_PLAYERS ? 0 : Math.random() * (openMs - LAST_ANSWER_MARGIN_MS);
  const correct = poll.correct_option_ids?.[0] ?? 0;
  return { delayMs, optionIds: [Math.random() < 0.6 ? correct : Math.floor(Math.random() * poll.options.length)] };
}

export async function runGame(ctx: BenchContext, log: (message: string) => void): Promise<ScenarioResult> {
  const result = emptyResult(
    'game',
    `a ${QUESTIONS}-question group game (${QUESTION_SECONDS} s a question, ${PAUSE_SECONDS} s pause) with ${PLAYERS} players answering each poll through the webhook inside its open period; each stopPoll timed against its poll's end`,
    machineLoad().loadAvg1,
  );
  const { telegram, app } = ctx;
  if (!telegram || !app?.env.DATABASE_URL || !ctx.botToken) {
    result.skipped = 'needs the stack the benchmark started (the fake Bot API behind the app; not with --api-url)';
    return result;
  }
  const api = ctx.api.url;
  const stamp = Date.now().toString(36);
  const admin = await botSignIn(api, ctx.botToken, app.adminTelegramId);
  telegram.addBot(BOT_TOKEN, 'bench_game_bot');
  telegram.routeWebhooks(app.env.PUBLIC_URL!, api);
  await call(api, 'POST', '/api/v1/admin/bots', { token: admin.token, body: { token: BOT_TOKEN, webhook: true } });
  const quiz = await call(api, 'POST', '/api/v1/quizzes', { token: admin.token, body: gameQuiz(stamp) });

  const players = startPlayers(telegram, { token: BOT_TOKEN, chatId: CHAT_ID, players: PLAYERS, answer: answerOf, onPoll: (_, number) => log(`  poll ${number}: ${PLAYERS} players answering`) });
  const sampler = sampleProcesses(ctx.api.pid);
  const began = performance.now();
  let gameId = '';
  let status = 'running';
  try {
    const started = await call(api, 'POST', '/api/v1/games', {
      bot: ctx.botToken,
      body: { botId: BOT_ID, chatId: String(CHAT_ID), quizSlug: String(quiz.body.slug), questionSeconds: QUESTION_SECONDS, pauseSeconds: PAUSE_SECONDS },
    });
    gameId = String(started.body.id);
    // The whole game's length, plus two minutes: a late game is measured to its end, not cut off.
    const deadline = Date.now() + QUESTIONS * (QUESTION_SECONDS + PAUSE_SECONDS) * 1000 + 120_000;
    while (status === 'running' && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 500));
      status = String((await call(api, 'GET', `/api/v1/games/${gameId}`, { bot: ctx.botToken })).body.status);
    }
  } finally {
    await players.stop();
  }
  const durationS = (performance.now() - began) / 1000;
  const processes = sampler.stop();

  // What the group saw, from the fake's records.
  const polls = sentPolls(telegram, BOT_TOKEN, CHAT_ID);
  const closings = pollClosings(polls, telegram.calls, BOT_TOKEN, CHAT_ID);
  const maxMs = maxLateness(closings);
  const chatCalls = (method: string) => telegram.callsTo(method).filter((c) => c.token === BOT_TOKEN && Number(c.params.chat_id) === CHAT_ID);
  const resultsMessages = chatCalls('sendMessage').filter((c) => c.outcome === true && isResultsMessage(c.params.text)).length;
  const tallies = [...players.tallies.values()];
  const sent = tallies.reduce((s, t) => s + t.sent, 0);
  const accepted = tallies.reduce((s, t) => s + t.accepted, 0);
  const refused = tallies.flatMap((t) => t.refused);
  const stored = await storedAnswers(app.env.DATABASE_URL, gameId);
  const steps = ctx.temporalAddress ? await readClosingSteps(ctx.temporalAddress, app.env.TEMPORAL_NAMESPACE ?? 'default', stored.workflowId) : { error: 'no Temporal address' };
  const webhookMs = tallies.flatMap((t) => t.webhookMs);
  const lost = lostAnswers(players.tallies, stored.pairs, (n) => defaultPlayer(n).id);

  // A refusal with a status is the API's answer; one without is a post that failed on the way.
  const httpErrors = refused.filter((r) => /^\d{3} /.test(r)).length;
  result.load = {
    generator: `${PLAYERS} simulated players per poll (src/dev/telegram-group.ts)`,
    requests: sent,
    durationS,
    rps: sent / durationS,
    latency: summarize(webhookMs),
    httpErrors,
    socketErrors: refused.length - httpErrors,
  };
  if (processes) {
    result.cpuPercent = processes.cpuPercent;
    result.peakWorkerRssMb = processes.peakWorkerRssMb;
    result.peakTotalRssMb = processes.peakTotalRssMb;
    result.machineBusyPercent = processes.machineBusyPercent;
  }
  result.extra = {
    gameStatus: status,
    questions: QUESTIONS,
    pollsSent: chatCalls('sendPoll').filter((c) => c.outcome === true).length,
    sendPollCalls: chatCalls('sendPoll').length,
    pollsStoppedOnce: closings.filter((c) => c.stopCalls === 1 && c.stoppedAt !== null).length,
    pollsNotStopped: closings.filter((c) => c.stoppedAt === null).length,
    closeLatenessMaxMs: maxMs,
    answersSent: sent,
    answersAccepted: accepted,
    answersStored: stored.rows,
    answersDouble: stored.rows - stored.distinct,
    answersLost: lost.length,
    answersLostPostedWithinMs: lost.length ? Math.max(...lost.map((l) => l.afterMs)) : null,
    resultsMessages,
  };
  const lateness = closings.map((c) => (c.latenessMs === null ? 'never' : c.latenessMs.toFixed(0))).join(', ');
  result.notes.push(`stopPoll after each poll's end (sent + ${QUESTION_SECONDS} s), questions 1-${closings.length}: ${lateness} ms; max ${maxMs === null ? 'n/a' : `${maxMs.toFixed(0)} ms`}`);
  result.notes.push(
    Array.isArray(steps)
      ? `where the time went (ms after each poll's end: t the workflow's timer fired, s stopGamePoll scheduled, a started, c completed): ${closingBreakdown(closings, steps)}`
      : `the workflow's history could not be read: ${steps.error}`,
  );
  result.notes.push(
    `game ${status} in ${durationS.toFixed(1)} s; questionSeconds ${QUESTION_SECONDS} and pauseSeconds ${PAUSE_SECONDS} (defaults ${DEFAULT_QUESTION_SECONDS} and ${DEFAULT_PAUSE_SECONDS}) keep the scenario under 2.5 minutes; ${EAGER_PLAYERS} of the ${PLAYERS} players answer each poll the moment they see it, the rest at random moments up to ${LAST_ANSWER_MARGIN_MS} ms before its end`,
  );
  result.notes.push(
    `answers: ${sent} sent, ${accepted} answered 200, ${stored.rows} stored (${stored.rows - stored.distinct} twice); not stored: ${describeLost(lost, [...players.tallies.keys()])}; ${result.extra.pollsSent} polls sent (${result.extra.sendPollCalls} sendPoll calls), ${result.extra.pollsStoppedOnce} stopped exactly once; ${resultsMessages} results message(s)`,
  );
  if (refused.length) result.notes.push(`refused answers: ${refused.length}, the first: ${refused[0]}`);
  return result;
}

/** Per question, the steps of its closing relative to the poll's end (`q4: t+120 s+180 a+15400 c+15460`). */
function closingBreakdown(closings: ReturnType<typeof pollClosings>, steps: ClosingSteps[]): string {
  const rel = (at: number | null, end: number | null) => (at === null || end === null ? '?' : `${at - end >= 0 ? '+' : ''}${(at - end).toFixed(0)}`);
  return closings
    .map((c, i) => {
      const s = steps[i];
      return s ? `q${c.number}: t${rel(s.timerFiredAt, c.endsAt)} s${rel(s.stopScheduledAt, c.endsAt)} a${rel(s.stopStartedAt, c.endsAt)} c${rel(s.stopCompletedAt, c.endsAt)}` : `q${c.number}: ?`;
    })
    .join(', ');
}

/** The game's stored answers: all, and their distinct (poll id, Telegram user id) pairs; and its workflow's id. */
async function storedAnswers(databaseUrl: string, gameId: string): Promise<{ rows: number; distinct: number; pairs: Set<string>; workflowId: string }> {
  if (!gameId) return { rows: 0, distinct: 0, pairs: new Set(), workflowId: '' };
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const answers = await client.query<{ poll_id: string; telegram_id: string }>(
      `SELECT p.poll_id, u.telegram_id::text FROM game_poll_answers a JOIN game_polls p ON p.id = a.game_poll_id JOIN users u ON u.id = a.user_id WHERE p.game_id = $1::int`,
      [gameId],
    );
    const pairs = new Set(answers.rows.map((r) => `${r.poll_id}/${r.telegram_id}`));
    // The outbox gives the workflow an id of its own (temporalWorkflowId); the game row keeps it.
    const game = await client.query<{ workflow_id: string }>('SELECT workflow_id FROM games WHERE id = $1::int', [gameId]);
    return { rows: answers.rows.length, distinct: pairs.size, pairs, workflowId: game.rows[0]?.workflow_id ?? '' };
  } finally {
    await client.end();
  }
}
