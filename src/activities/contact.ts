import { ApplicationFailure } from '@temporalio/activity';
import type { ActivityDeps } from './index.js';
import type { EmailInput } from '../domain/email.js';
import { confirmationAllowed, contactEmails } from '../domain/contact.js';
import { contactEmailIds } from '../temporal/constants.js';

export type ContactOutcome = { status: 'sent' } | { status: 'failed'; error: string };

export function createContactActivities({ db, config }: ActivityDeps) {
  return {
    /** The notification of a stored contact message, and its confirmation unless CONTACT_CONFIRM_LIMIT is spent for its address. */
    async prepareContactEmails(contactId: number): Promise<EmailInput[]> {
      const contact = await db.prisma.contactMessage.findUnique({ where: { id: contactId } });
      if (!contact) throw ApplicationFailure.nonRetryable(`contact message ${contactId} does not exist`, 'NotFound');
      const confirm = await confirmationAllowed(db, contact, config.CONTACT_CONFIRM_LIMIT);
      return contactEmails(contact, { siteName: config.SITE_NAME, contactEmail: config.CONTACT_EMAIL }, { confirm });
    },

    /** Records how delivery ended; `attempts` is the most any of its mails needed. */
    async markContact(contactId: number, outcome: ContactOutcome): Promise<void> {
      const ids = [contactEmailIds.notify(contactId), contactEmailIds.confirm(contactId)];
      const mails = await db.prisma.emailMessage.findMany({ where: { id: { in: ids } }, select: { attempts: true } });
      const attempts = Math.max(0, ...mails.map((m) => m.attempts));
      await db.prisma.contactMessage.update({
        where: { id: contactId },
        data: { status: outcome.status, attempts, lastError: outcome.status === 'failed' ? outcome.error.slice(0, 1000) : null },
      });
    },
  };
}
