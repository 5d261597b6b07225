import { proxyLocalActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import type { TaskTuning } from '../temporal/tuning.js';
import { failureReason, localActivityOptions } from './activity-options.js';
import { deliverOnce } from './send-email.js';

export interface ContactFormInput {
  contactId: number;
  tuning: TaskTuning;
}

/**
 * Mails a stored contact message to CONTACT_EMAIL and a confirmation to its sender (each at most once, with
 * sendEmail's guarantees), then marks the message sent, or failed with the reason. Everything runs as local
 * activities, so one contact message costs the Temporal server about what one workflow task does.
 */
export async function contactForm({ contactId, tuning }: ContactFormInput): Promise<'sent' | 'failed'> {
  const { prepareContactEmails, markContact } = proxyLocalActivities<Activities>(localActivityOptions(tuning));
  const emails = await prepareContactEmails(contactId);
  const results = await Promise.allSettled(emails.map((email) => deliverOnce(email, tuning)));
  const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  const outcome = failure ? { status: 'failed' as const, error: failureReason(failure.reason) } : { status: 'sent' as const };
  await markContact(contactId, outcome);
  return outcome.status;
}
