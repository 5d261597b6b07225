import { proxyActivities } from '@temporalio/workflow';
import type * as activities from '../activities/index.js';
import type { EmailInput } from '../domain/email.js';

const { deliverEmail } = proxyActivities<ReturnType<typeof activities.createActivities>>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes', maximumAttempts: 10 },
});

/** Sends one email exactly once per message id (the activity keeps the idempotency record). */
export async function sendEmail(input: EmailInput): Promise<'sent' | 'already-sent'> {
  return deliverEmail(input);
}
