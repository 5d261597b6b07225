import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import type { TaskTuning } from '../temporal/tuning.js';
import type { TelegramCommandRequest } from '../domain/telegram-commands.js';
import { activityOptions } from './activity-options.js';

export interface TelegramCommandInput extends TelegramCommandRequest {
  tuning: TaskTuning;
}

/**
 * Carries out one group or private-chat command (started through the outbox by the webhook ingress): the
 * command's action (its result recorded by Temporal, so it runs to completion once), then its reply, which the
 * activity sends once per (bot, update_id) however often it is retried. Returns what was replied, if anything.
 */
export async function telegramCommand({ tuning, ...request }: TelegramCommandInput): Promise<string | null> {
  const { carryOutTelegramCommand, sendCommandReply } = proxyActivities<Activities>(activityOptions(tuning));
  const text = await carryOutTelegramCommand(request);
  if (text === null) return null;
  await sendCommandReply({ botId: request.botId, updateId: request.updateId, chatId: request.chatId, text });
  return text;
}
