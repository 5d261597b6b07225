import nodemailer, { type Transporter } from 'nodemailer';
import type { Config } from '../config.js';

export type Mailer = Transporter;

/**
 * nodemailer on SMTP_URL; without it, messages are rendered and dropped (logged by the caller). Close it
 * when done: a pooled transport keeps its connections open.
 *
 * The transport pools its connections (up to 5, each reused for up to 100 messages and closed after 4
 * minutes idle; `?maxConnections=N&maxMessages=N` on SMTP_URL overrides): a connection per message cost
 * a TCP handshake, the greeting, EHLO and QUIT for every mail, more of the worker's CPU than the message.
 * A message whose connection closes under it is tried once more on another; every other failure is the
 * activity's, which classifies it and lets Temporal retry with backoff.
 */
export function createMailer(config: Pick<Config, 'SMTP_URL'>): Mailer {
  if (!config.SMTP_URL) return nodemailer.createTransport({ streamTransport: true, buffer: true });
  // Bounded waits: a hung SMTP server must fail the attempt (and let it retry) well within the activity's deadline.
  return nodemailer.createTransport({
    url: config.SMTP_URL,
    pool: true,
    maxConnections: 5,
    maxMessages: 100,
    maxRequeues: 1,
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
  });
}
