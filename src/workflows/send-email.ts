import { ApplicationFailure, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import type { EmailInput } from '../domain/email.js';
import type { TaskTuning } from '../background/tuning.js';
import { activityOptions, failureReason } from './activity-options.js';

export interface SendEmailInput {
  email: EmailInput;
  tuning: TaskTuning;
}

/**
 * Sends one email at most once per message id: the activity keeps the idempotency record, retries
 * transient SMTP failures with backoff, and gives up at once on a permanent rejection. When no attempt
 * succeeds, the record is marked failed and the workflow fails with the reason.
 */
export async function sendEmail({ email, tuning }: SendEmailInput): Promise<'sent' | 'already-sent'> {
  const { deliverEmail, markEmailFailed } = proxyActivities<Activities>(activityOptions(tuning));
  try {
    return await deliverEmail(email);
  } catch (err) {
    const reason = failureReason(err);
    await markEmailFailed(email.id, reason);
    throw ApplicationFailure.nonRetryable(`mail ${email.id} was not sent: ${reason}`, 'EmailFailed');
  }
}
