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
  constructor(
    private readonly db: Database,
    private readonly leaseMs: number,
  ) {}

  /**
   * Creates the idempotency record if needed and takes the lease (counting an attempt) when the message is
   * pending and free, in one statement: Prisma's createMany and update cost ~3 ms of CPU per mail, this 0.6.
   */
  async claim(input: EmailInput): Promise<LeaseClaim> {
    const { prisma } = this.db;
    const leaseS = this.leaseMs / 1000;
    const rows = await prisma.$queryRaw<{ attempts: number }[]>`
      INSERT INTO email_messages AS m (id, to_address, subject, attempts, lease_until, updated_at)
      VALUES (${input.id}, ${input.to}, ${input.subject.slice(0, 300)}, 1, now() + make_interval(secs => ${leaseS}), now())
      ON CONFLICT (id) DO UPDATE
         SET attempts = m.attempts + 1, lease_until = now() + make_interval(secs => ${leaseS}), updated_at = now()
       WHERE m.status = 'pending' AND (m.lease_until IS NULL OR m.lease_until < now())
      RETURNING attempts`;
    if (rows[0]) return { held: true, token: rows[0].attempts };
    return { held: false, record: await prisma.emailMessage.findUniqueOrThrow({ where: { id: input.id } }) };
  }

  /** Renews the lease (only while this attempt, `token`, holds it) until the returned function is called. */
  keepAlive(id: string, token: number): () => void {
    const timer = setInterval(
      () => {
        void this.db.prisma.$executeRaw`
        UPDATE email_messages SET lease_until = now() + make_interval(secs => ${this.leaseMs / 1000})
         WHERE id = ${id} AND status = 'pending' AND attempts = ${token}`.catch(() => undefined);
      },
      Math.max(100, Math.floor(this.leaseMs / 3)),
    );
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
