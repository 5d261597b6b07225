import type { ContactMessage } from '../generated/prisma/client.js';
import { contactEmailIds } from '../temporal/constants.js';
import type { EmailInput } from './email.js';

/** Contact form limits, as API.md states them. */
export const CONTACT_NAME_MAX = 100;
export const CONTACT_MESSAGE_MAX = 5000;

/** Headers must not carry line breaks a sender typed into their name. */
const oneLine = (text: string) => text.replace(/[\r\n\t]+/g, ' ').trim();

/** The two mails a contact message causes: the message to CONTACT_EMAIL (reply goes to the sender) and the sender's confirmation. */
export function contactEmails(contact: Pick<ContactMessage, 'id' | 'name' | 'email' | 'message' | 'createdAt'>, site: { siteName: string; contactEmail: string }): [EmailInput, EmailInput] {
  const name = oneLine(contact.name);
  return [
    {
      id: contactEmailIds.notify(contact.id),
      to: site.contactEmail,
      replyTo: contact.email,
      subject: `[${site.siteName}] Contact form: ${name}`,
      text: `From: ${name} <${contact.email}>\nSent: ${contact.createdAt.toISOString()}\n\n${contact.message}\n`,
    },
    {
      id: contactEmailIds.confirm(contact.id),
      to: contact.email,
      subject: `${site.siteName}: we received your message`,
      text: `Hello ${name},\n\nthank you for writing to ${site.siteName}. We received your message and will answer soon.\n\nYour message:\n\n${contact.message}\n`,
    },
  ];
}
