import { getExternalWorkflowHandle, proxyActivities, sleep } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import type { TaskTuning } from '../temporal/tuning.js';
import { activityOptions } from './activity-options.js';
import { stopSignal } from './group-game.js';

export interface StopGroupGameInput {
  gameId: number;
  /** The Temporal id the game runs under (games.workflow_id). */
  gameWorkflowId: string;
  /** A chat member's /stop: allowed to the game's starter and the chat's administrators. Absent: an API stop. */
  telegramUserId?: string | undefined;
  tuning: TaskTuning;
}

/** A game just started may not be running in Temporal yet (its outbox entry is dispatched first): retry this long. */
const SIGNAL_ATTEMPTS = 60;
const SIGNAL_RETRY_MS = 1000;

/**
 * Signals a game to stop, after checking a chat member may (getChatMember, outside the webhook's path). A game
 * that is over by then is left as it is: 'refused', 'signalled' or 'over'.
 */
export async function stopGroupGame({ gameId, gameWorkflowId, telegramUserId, tuning }: StopGroupGameInput): Promise<'refused' | 'signalled' | 'over'> {
  const { mayStopGame, gameStatus } = proxyActivities<Activities>(activityOptions(tuning));
  if (telegramUserId !== undefined && !(await mayStopGame({ gameId, telegramUserId }))) return 'refused';
  for (let attempt = 1; ; attempt += 1) {
    try {
      await getExternalWorkflowHandle(gameWorkflowId).signal(stopSignal);
      return 'signalled';
    } catch {
      if ((await gameStatus(gameId)) !== 'running' || attempt >= SIGNAL_ATTEMPTS) return 'over';
      await sleep(SIGNAL_RETRY_MS);
    }
  }
}
