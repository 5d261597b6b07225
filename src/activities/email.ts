import type { ActivityDeps } from './index.js';
import { messageIdFor, type EmailInput } from '../domain/email.js';

export function createEmailActivities({ mailer, config }: ActivityDeps) {
  const domain = new URL(config.PUBLIC_URL ?? 'http://localhost').hostname;
  return {
    /** Sends the message with a Message-ID derived from its id. */
    async deliverEmail(input: EmailInput): Promise<'sent' | 'already-sent'> {
      await mailer.sendMail({
        from: config.MAIL_FROM,
        to: input.to,
        subject: input.subject,
        text: input.text,
        replyTo: input.replyTo,
        messageId: messageIdFor(input.id, domain),
      });
      return 'sent';
    },
  };
}
