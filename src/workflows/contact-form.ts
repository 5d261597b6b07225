import { executeChild, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import type { TaskTuning } from '../background/tuning.js';
import { WorkflowType, workflowIds } from '../temporal/constants.js';
import { activityOptions, failureReason } from './activity-options.js';
import { childMemo } from './memo.js';
import type { sendEmail } from './send-email.js';

export interface ContactFormInput {
  contactId: number;
  tuning: TaskTuning;
}

/**
 * Mails a stored contact message to CONTACT_EMAIL and a confirmation to its sender (each a sendEmail
 * child, so each is visible and sent at most once), then marks the message sent, or failed with the reason.
 */
export async function contactForm({ contactId, tuning }: ContactFormInput): Promise<'sent' | 'failed'> {
  const { prepareContactEmails, markContact } = proxyActivities<Activities>(activityOptions(tuning));
  const emails = await prepareContactEmails(contactId);
  const results = await Promise.allSettled(
    emails.map((email) => {
      const summary = `Mail ${email.id}: "${email.subject}"`;
      return executeChild<typeof sendEmail>(WorkflowType.sendEmail, {
        args: [{ email, tuning }],
        workflowId: workflowIds.email(email.id),
        memo: { ...childMemo(summary) },
        staticSummary: summary,
      });
    }),
  );
  const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  const outcome = failure ? { status: 'failed' as const, error: failureReason(failure.reason) } : { status: 'sent' as const };
  await markContact(contactId, outcome);
  return outcome.status;
}
