import nodemailer, { type Transporter } from 'nodemailer';
import type { Config } from '../config.js';

export type Mailer = Transporter;

/** nodemailer on SMTP_URL; without it, messages are rendered and dropped (logged by the caller). */
export function createMailer(config: Pick<Config, 'SMTP_URL'>): Mailer {
  if (!config.SMTP_URL) return nodemailer.createTransport({ streamTransport: true, buffer: true });
  // Bounded waits: a hung SMTP server must fail the attempt (and let it retry) well within the activity's deadline.
  return nodemailer.createTransport({ url: config.SMTP_URL, connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 });
}
