import type { Database } from '../db/database.js';
import type { EmailMessage } from '../generated/prisma/client.js';
import type { EmailInput } from '../domain/email.js';

export type LeaseClaim = { held: true; token: number } | { held: false; record: EmailMessage };

/**
 * The send lease of one message: an attempt that holds it may send; another attempt (a retry after a
 * timeout while the first is still talking to the SMTP server) waits. The holder renews it while sending,
 * so it lapses within `leaseMs` of the holder dying (a killed worker) and never while the holder lives.
 */
export class EmailSendLease {
  constructor(private readonly db: Database, private readonly leaseMs: number) {}

  /** Creates the idempotency record if needed and takes the lease (counting an attempt) when the message is pending and free. */
  async claim(input: EmailInput): Promise<LeaseClaim> {
    const { prisma } = this.db;
    await prisma.emailMessage.createMany({ data: [{ id: input.id, toAddress: input.to, subject: input.subject.slice(0, 300) }], skipDuplicates: true });
    const rows = await prisma.$queryRaw<{ attempts: number }[]>`
      UPDATE email_messages
         SET attempts = attempts + 1, lease_until = now() + make_interval(secs => ${this.leaseMs / 1000}), updated_at = now()
       WHERE id = ${input.id} AND status = 'pending' AND (lease_until IS NULL OR lease_until < now())
      RETURNING attempts`;
    if (rows[0]) return { held: true, token: rows[0].attempts };
    return { held: false, record: await prisma.emailMessage.findUniqueOrThrow({ where: { id: input.id } }) };
  }

  /** Renews the lease (only while this attempt, `token`, holds it) until the returned function is called. */
  keepAlive(id: string, token: number): () => void {
    const timer = setInterval(() => {
      void this.db.prisma.$executeRaw`
        UPDATE email_messages SET lease_until = now() + make_interval(secs => ${this.leaseMs / 1000})
         WHERE id = ${id} AND status = 'pending' AND attempts = ${token}`.catch(() => undefined);
    }, Math.max(100, Math.floor(this.leaseMs / 3)));
    return () => clearInterval(timer);
  }
}

/**
 * Lease length for an activity deadline: a dead holder is replaced about when Temporal retries its attempt
 * anyway (one deadline), and a live one renews it three times per lease, so a slow pool or a stalled event
 * loop has room before the lease could lapse under it.
 */
export function leaseMsFor(timeoutMs: number): number {
  return Math.min(30_000, Math.max(1000, timeoutMs));
}
