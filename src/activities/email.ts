import { setTimeout as sleep } from 'node:timers/promises';
import { ApplicationFailure, Context } from '@temporalio/activity';
import type { ActivityDeps } from './index.js';
import { messageIdFor, type EmailInput } from '../domain/email.js';
import { describeSmtpFailure, isPermanentSmtpFailure } from './smtp-failures.js';
import { EmailSendLease, leaseMsFor, type LeaseClaim } from './email-lease.js';

/** Deadline assumed when an activity has none (never the case under a workflow). */
const DEFAULT_TIMEOUT_MS = 60_000;

/** Runs `write` until it succeeds or `budgetMs` has passed (a busy pool or a database failover is brief). */
async function insist<T>(write: () => Promise<T>, budgetMs: number): Promise<T> {
  const deadline = Date.now() + budgetMs;
  for (let delay = 100; ; delay = Math.min(delay * 2, 1000)) {
    try {
      return await write();
    } catch (err) {
      if (Date.now() + delay > deadline) throw err;
      await sleep(delay);
    }
  }
}

export function createEmailActivities({ mailer, config, db, logger }: ActivityDeps) {
  const domain = new URL(config.PUBLIC_URL ?? 'http://localhost').hostname;
  const records = db.prisma.emailMessage;

  /** Claims the lease, waiting while another live attempt holds it, until `giveUpAt` (leaving this attempt time to send). */
  async function claimOrWait(lease: EmailSendLease, input: EmailInput, giveUpAt: number): Promise<LeaseClaim> {
    for (;;) {
      const claim = await lease.claim(input);
      if (claim.held || claim.record.status !== 'pending' || Date.now() >= giveUpAt) return claim;
      await Context.current().sleep(250);
    }
  }

  return {
    /**
     * Sends the message at most once per id: its record says whether it was sent (then 'already-sent'), and a
     * renewed lease keeps two attempts from sending it side by side (a timed-out attempt may still be running).
     * The Message-ID is derived from the id, so the rare duplicate (a crash between the server's acceptance and
     * the record's write) can be discarded by the receiver. A permanent rejection is recorded and not retried.
     */
    async deliverEmail(input: EmailInput): Promise<'sent' | 'already-sent'> {
      const info = Context.current().info;
      const timeoutMs = info.startToCloseTimeoutMs || DEFAULT_TIMEOUT_MS;
      const leaseMs = leaseMsFor(timeoutMs);
      const lease = new EmailSendLease(db, leaseMs);
      const claim = await claimOrWait(lease, input, Date.now() + timeoutMs / 2);
      if (!claim.held) {
        const { record } = claim;
        if (record.status === 'sent') return 'already-sent';
        if (record.status === 'failed') throw ApplicationFailure.nonRetryable(record.lastError ?? 'the message failed earlier', 'EmailFailed');
        throw ApplicationFailure.retryable('another attempt is still sending this message', 'EmailBusy');
      }
      const release = lease.keepAlive(input.id, claim.token);
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
        release();
        const reason = describeSmtpFailure(err);
        if (isPermanentSmtpFailure(err)) {
          await records.update({ where: { id: input.id }, data: { status: 'failed', lastError: reason, leaseUntil: null } });
          logger.warn({ emailId: input.id, reason }, 'mail rejected permanently');
          throw ApplicationFailure.nonRetryable(reason, 'EmailRejected');
        }
        await records.update({ where: { id: input.id }, data: { lastError: reason, leaseUntil: null } });
        throw ApplicationFailure.retryable(reason, 'EmailDeferred');
      }
      try {
        // The one write that keeps a retry from sending again: worth insisting on while the lease is held. Raw
        // SQL, as in the claim: Prisma's update costs ~1.2 ms of CPU per mail, this ~0.5.
        await insist(
          () => db.prisma.$executeRaw`
          UPDATE email_messages SET status = 'sent', sent_at = now(), last_error = NULL, lease_until = NULL, updated_at = now()
           WHERE id = ${input.id}`,
          leaseMs,
        );
      } finally {
        release();
      }
      return 'sent';
    },

    /** Marks a message failed with a reason after its last attempt; a sent message stays sent. */
    async markEmailFailed(id: string, reason: string): Promise<void> {
      await records.updateMany({ where: { id, status: { not: 'sent' } }, data: { status: 'failed', lastError: reason.slice(0, 1000), leaseUntil: null } });
    },
  };
}
