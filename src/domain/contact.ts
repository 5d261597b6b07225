import type { ContactMessage } from '../generated/prisma/client.js';
import type { Database } from '../db/database.js';
import { WorkflowType, contactEmailIds, workflowIds, type WorkflowRequest } from '../temporal/constants.js';
import type { EmailInput } from './email.js';

/** Contact form limits, as API.md states them. */
export const CONTACT_NAME_MAX = 100;
export const CONTACT_MESSAGE_MAX = 5000;

/** Headers must not carry line breaks a sender typed into their name. */
const oneLine = (text: string) => text.replace(/[\r\n\t]+/g, ' ').trim();

/**
 * The mails a contact message causes: the message to CONTACT_EMAIL (reply goes to the sender) and, when
 * `confirm`, a confirmation to the address the sender typed. Anyone can type anyone's address, so the
 * confirmation carries nothing the sender wrote: not the message, and not the name either (100 free
 * characters are room enough for a spam line or a link); it is a fixed text, useless as a relay.
 */
export function contactEmails(contact: Pick<ContactMessage, 'id' | 'name' | 'email' | 'message' | 'createdAt'>, site: { siteName: string; contactEmail: string }, { confirm }: { confirm: boolean }): EmailInput[] {
  const name = oneLine(contact.name);
  const notify: EmailInput = {
    id: contactEmailIds.notify(contact.id),
    to: site.contactEmail,
    replyTo: contact.email,
    subject: `[${site.siteName}] Contact form: ${name}`,
    text: `From: ${name} <${contact.email}>\nSent: ${contact.createdAt.toISOString()}\n\n${contact.message}\n`,
  };
  if (!confirm) return [notify];
  return [
    notify,
    {
      id: contactEmailIds.confirm(contact.id),
      to: contact.email,
      subject: `${site.siteName}: we received your message`,
      text: `Hello,\n\nthank you for writing to ${site.siteName}. We received your message and will answer soon.\n\nIf you did not write to us, someone typed your address into our contact form; you can ignore this mail.\n`,
    },
  ];
}

/**
 * Whether a stored message gets its confirmation: only while fewer than `limit` earlier messages named the
 * same address (case-insensitively) in the 24 hours before it. Counted in the database, so every process
 * and every retry of the same message agrees; suppressed messages count too, so a flood stays suppressed.
 */
export async function confirmationAllowed(db: Database, contact: Pick<ContactMessage, 'id' | 'email' | 'createdAt'>, limit: number): Promise<boolean> {
  if (limit === 0) return false;
  const since = new Date(contact.createdAt.getTime() - 24 * 3600 * 1000);
  const [row] = await db.prisma.$queryRaw<{ earlier: number }[]>`
    SELECT count(*)::int AS earlier FROM contact_messages
     WHERE created_at >= ${since} AND created_at <= ${contact.createdAt} AND id < ${contact.id}
       AND lower(email) = lower(${contact.email})`;
  return (row?.earlier ?? 0) < limit;
}

/** contactForm's input field, checked against the workflow's parameter: the statement below builds the input in SQL. */
const CONTACT_ID_FIELD = 'contactId' satisfies keyof WorkflowRequest<'contactForm'>;

export interface ContactSubmission {
  name: string;
  email: string;
  message: string;
}

/** What storing a contact message gives the route: the message's id and status. */
export interface StoredContact {
  contact: Pick<ContactMessage, 'id' | 'status'>;
}

/**
 * Stores a contact message together with the outbox entry of its workflow in one statement (atomic like a
 * transaction, in one round trip: this is the busiest public write), so an accepted message is never lost;
 * its commit wakes the dispatcher (the outbox's insert trigger). The entry has the shape enqueueWorkflow writes.
 */
export async function storeContactMessage(db: Database, submission: ContactSubmission, meta: { clientIp?: string | undefined; requestId?: string | undefined }): Promise<StoredContact> {
  const summaryPrefix = 'Contact message ';
  const from = ` from ${oneLine(submission.name)}`;
  const requestId = meta.requestId ?? null;
  const [row] = await db.prisma.$queryRaw<{ id: number; status: ContactMessage['status'] }[]>`
    WITH contact AS (
      INSERT INTO contact_messages (name, email, message, client_ip, request_id, updated_at)
      VALUES (${submission.name}, ${submission.email}, ${submission.message}, ${meta.clientIp?.slice(0, 64) ?? null}, ${requestId}, now())
      RETURNING id, status
    ), entry AS (
      INSERT INTO outbox (workflow_type, workflow_id, args, memo)
      SELECT ${WorkflowType.contactForm}, ${workflowIds.contact('')} || contact.id,
             jsonb_build_array(jsonb_build_object(${CONTACT_ID_FIELD}::text, contact.id)),
             jsonb_strip_nulls(jsonb_build_object('requestId', ${requestId}::text, 'summary', ${summaryPrefix}::text || contact.id || ${from}::text))
        FROM contact
      RETURNING id
    )
    SELECT contact.id, contact.status::text AS status FROM contact, entry`;
  if (!row) throw new Error('storing the contact message returned no row');
  return { contact: { id: row.id, status: row.status } };
}

export interface ContactStatusView {
  id: string;
  status: ContactMessage['status'];
  attempts: number;
  lastError: string | null;
}

/** A contact message's delivery as an admin sees it, including attempts of mails still being retried. */
export async function loadContactStatus(db: Database, id: number): Promise<ContactStatusView | undefined> {
  const [contact, mails] = await Promise.all([
    db.prisma.contactMessage.findUnique({ where: { id } }),
    db.prisma.emailMessage.findMany({ where: { id: { in: [contactEmailIds.notify(id), contactEmailIds.confirm(id)] } }, orderBy: { updatedAt: 'desc' } }),
  ]);
  if (!contact) return undefined;
  const attempts = Math.max(contact.attempts, ...mails.map((m) => m.attempts));
  const lastError = contact.lastError ?? mails.find((m) => m.lastError)?.lastError ?? null;
  return { id: String(contact.id), status: contact.status, attempts, lastError };
}
