import { ApplicationFailure, proxyLocalActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import type { EmailInput } from '../domain/email.js';
import type { TaskTuning } from '../temporal/tuning.js';
import { failureReason, localActivityOptions } from './activity-options.js';

export interface SendEmailInput {
  email: EmailInput;
  tuning: TaskTuning;
}

/**
 * Delivers one email at most once per message id (workflow code shared by sendEmail and contactForm): the
 * activity keeps the idempotency record, retries transient SMTP failures with backoff, and gives up at once
 * on a permanent rejection. When no attempt succeeds, the record is marked failed and this throws the reason.
 */
export async function deliverOnce(email: EmailInput, tuning: TaskTuning): Promise<'sent' | 'already-sent'> {
  const { deliverEmail, markEmailFailed } = proxyLocalActivities<Activities>(localActivityOptions(tuning));
  try {
    return await deliverEmail(email);
  } catch (err) {
    const reason = failureReason(err);
    await markEmailFailed(email.id, reason);
    throw ApplicationFailure.nonRetryable(`mail ${email.id} was not sent: ${reason}`, 'EmailFailed');
  }
}

/** Sends one email (see deliverOnce); the workflow fails with the reason when it could not be sent. */
export async function sendEmail({ email, tuning }: SendEmailInput): Promise<'sent' | 'already-sent'> {
  return deliverOnce(email, tuning);
}
