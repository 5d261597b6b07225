/** One email as the sendEmail workflow receives it; `id` is the idempotency key. */
export interface EmailInput {
  id: string;
  to: string;
  subject: string;
  text: string;
  replyTo?: string;
}

/** A stable Message-ID derived from the message id, so receivers can drop a rare duplicate. */
export function messageIdFor(id: string, domain: string): string {
  return `<${id.replace(/[^A-Za-z0-9._-]/g, '-')}@${domain}>`;
}
