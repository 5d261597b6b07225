/** What nodemailer attaches to a failed send. */
interface SmtpErrorFields {
  code?: unknown;
  responseCode?: unknown;
  response?: unknown;
  command?: unknown;
}

/**
 * True when retrying cannot help: the server answered with a 5xx (unknown mailbox, rejected content,
 * policy) or the message itself is unusable (no valid recipient, malformed address). 4xx answers,
 * timeouts and connection failures are transient.
 */
export function isPermanentSmtpFailure(err: unknown): boolean {
  const fields = (err ?? {}) as SmtpErrorFields;
  if (typeof fields.responseCode === 'number') return fields.responseCode >= 500 && fields.responseCode < 600;
  return fields.code === 'EENVELOPE' || fields.code === 'EMESSAGE';
}

/** A one-line reason for status rows: the server's answer when there is one, else the error message. */
export function describeSmtpFailure(err: unknown): string {
  const fields = (err ?? {}) as SmtpErrorFields;
  if (typeof fields.response === 'string' && fields.response) return fields.response.slice(0, 500);
  return (err instanceof Error ? err.message : String(err)).slice(0, 500);
}
