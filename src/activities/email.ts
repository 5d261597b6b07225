import { ApplicationFailure } from '@temporalio/activity';
import type { ActivityDeps } from './index.js';
import { messageIdFor, type EmailInput } from '../domain/email.js';
import { Prisma, type EmailMessage } from '../generated/prisma/client.js';
import { describeSmtpFailure, isPermanentSmtpFailure } from './smtp-failures.js';

export function createEmailActivities({ mailer, config, db, logger }: ActivityDeps) {
  const domain = new URL(config.PUBLIC_URL ?? 'http://localhost').hostname;
  const records = db.prisma.emailMessage;

  /** The idempotency record of a message, created pending on first sight. */
  async function recordOf(input: EmailInput): Promise<EmailMessage> {
    const found = await records.findUnique({ where: { id: input.id } });
    if (found) return found;
    try {
      return await records.create({ data: { id: input.id, toAddress: input.to, subject: input.subject.slice(0, 300) } });
    } catch (err) {
      // Another attempt created it first.
      if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002') return records.findUniqueOrThrow({ where: { id: input.id } });
      throw err;
    }
  }

  return {
    /**
     * Sends the message unless its record says it was sent (then 'already-sent'). The Message-ID is derived
     * from the id, so the rare duplicate (crash between the server's acceptance and the record's write)
     * can be discarded by the receiver. A permanent rejection is recorded and not retried.
     */
    async deliverEmail(input: EmailInput): Promise<'sent' | 'already-sent'> {
      const record = await recordOf(input);
      if (record.status === 'sent') return 'already-sent';
      if (record.status === 'failed') {
        throw ApplicationFailure.nonRetryable(record.lastError ?? 'the message failed earlier', 'EmailFailed');
      }
      await records.update({ where: { id: input.id }, data: { attempts: { increment: 1 } } });
      try {
        await mailer.sendMail({
          from: config.MAIL_FROM,
          to: input.to,
          subject: input.subject,
          text: input.text,
          replyTo: input.replyTo,
          messageId: messageIdFor(input.id, domain),
        });
      } catch (err) {
        const reason = describeSmtpFailure(err);
        if (isPermanentSmtpFailure(err)) {
          await records.update({ where: { id: input.id }, data: { status: 'failed', lastError: reason } });
          logger.warn({ emailId: input.id, reason }, 'mail rejected permanently');
          throw ApplicationFailure.nonRetryable(reason, 'EmailRejected');
        }
        await records.update({ where: { id: input.id }, data: { lastError: reason } });
        throw ApplicationFailure.retryable(reason, 'EmailDeferred');
      }
      await records.update({ where: { id: input.id }, data: { status: 'sent', sentAt: new Date(), lastError: null } });
      return 'sent';
    },

    /** Marks a message failed with a reason after its last attempt; a sent message stays sent. */
    async markEmailFailed(id: string, reason: string): Promise<void> {
      await records.updateMany({ where: { id, status: { not: 'sent' } }, data: { status: 'failed', lastError: reason.slice(0, 1000) } });
    },
  };
}
