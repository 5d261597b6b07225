import { ContinueAsNew, condition, continueAsNew, defineQuery, defineSignal, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import type { TaskTuning } from '../temporal/tuning.js';
import { activityOptions } from './activity-options.js';

export interface GroupGameInput {
  gameId: number;
  tuning: TaskTuning;
  /**
   * Questions one run asks before it continues as new (default GAME_CONTINUE_EVERY), so the history of a long game
   * stays bounded whatever the server suggests; carried over to the next run. startGame's `continueEvery` sets it.
   */
  continueEvery?: number | undefined;
  /** Carried over continueAsNew: the questions (read once at the start) and the next one to ask. */
  carried?: { questionIds: number[]; next: number } | undefined;
}

/**
 * Questions per run of a game. A question costs about 30 history events (its activities, timers and workflow tasks: a
 * run that asked one question had 34 in all), so 25 keep a run under 800, a fifth of the 4,096 events at which the
 * server suggests continuing as new, and a quiz of usual length is played in one run. The server's suggestion (events
 * or history size) still ends a run early.
 */
export const GAME_CONTINUE_EVERY = 25;

/** Stops a running game: the open poll is closed and scored, the results posted, the game marked stopped. */
export const stopSignal = defineSignal('stop');
/** The 0-based index of the question being asked, for tools that look at a running game. */
export const currentQuestionQuery = defineQuery<number>('currentQuestion');

/** A Bot API call is retried until Telegram lets it through (429s wait retry_after), within this bound. */
const BOT_API_PATIENCE_MS = 15 * 60_000;

/**
 * One group game (API.md): per question, send the quiz poll, wait its open period on a durable timer, stop it,
 * score it; pause; after the last one (or a stop signal) post the results once and mark the game. Every step is
 * an activity that is safe to retry, so a worker lost mid-game resumes where the history says it was.
 */
export async function groupGame({ gameId, tuning, continueEvery = GAME_CONTINUE_EVERY, carried }: GroupGameInput): Promise<'finished' | 'stopped'> {
  const base = activityOptions(tuning);
  const botApi = proxyActivities<Activities>({ ...base, scheduleToCloseTimeout: BOT_API_PATIENCE_MS, retry: { initialInterval: tuning.initialIntervalMs, backoffCoefficient: 2, maximumInterval: tuning.maxIntervalMs } });
  const data = proxyActivities<Activities>(base);
  let stopped = false;
  let index = carried?.next ?? 0;
  const firstOfRun = index;
  setHandler(stopSignal, () => {
    stopped = true;
  });
  setHandler(currentQuestionQuery, () => index);

  try {
    const plan = await data.loadGamePlan(gameId);
    if (plan.status !== 'running') return plan.status === 'stopped' ? 'stopped' : 'finished';
    const questionIds = carried?.questionIds ?? plan.questionIds;
    for (; index < questionIds.length && !stopped; index += 1) {
      const sent = await botApi.sendGamePoll({
        gameId,
        questionId: questionIds[index]!,
        index,
        total: questionIds.length,
        botId: plan.botId,
        chatId: plan.chatId,
        openPeriodS: plan.questionSeconds,
      });
      await condition(() => stopped, Math.max(0, Date.parse(sent.closesAt) - Date.now()));
      await botApi.stopGamePoll(sent.gamePollId);
      await data.scoreGameQuestion(sent.gamePollId);
      const last = index + 1 >= questionIds.length;
      if (!last && !stopped && plan.pauseSeconds > 0) await condition(() => stopped, plan.pauseSeconds * 1000);
      if (!last && !stopped && (index + 1 - firstOfRun >= continueEvery || workflowInfo().continueAsNewSuggested)) {
        await continueAsNew<typeof groupGame>({ gameId, tuning, continueEvery, carried: { questionIds, next: index + 1 } });
      }
    }
    const outcome = stopped ? 'stopped' : 'finished';
    await botApi.finishGame({ gameId, outcome, announce: true });
    return outcome;
  } catch (err) {
    if (err instanceof ContinueAsNew) throw err;
    // The chat must not stay blocked by a game that cannot go on (one running game per chat).
    await data.finishGame({ gameId, outcome: 'stopped', announce: false });
    throw err;
  }
}
