import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import pino from 'pino';
import { LOG_REDACTION } from '../../src/lib/logger.js';

/** Logs each object through the application's redaction rules and returns the written lines. */
function logged(...objects: object[]): string {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  const logger = pino({ redact: LOG_REDACTION }, sink);
  for (const object of objects) logger.info(object, 'line');
  return lines.join('');
}

describe('log redaction', () => {
  test('credentials never reach a log line, whatever shape the request or session is logged in', () => {
    const secrets = ['Bearer s3cr3t-session', 'sid=s3cr3t-cookie', 'Bot s3cr3t-bot', 's3cr3t-token', 's3cr3t-init-data', 's3cr3t-password'];
    const text = logged(
      // pino's request serializer shape, and Koa's own (ctx.request.toJSON() says `header`)
      { req: { method: 'GET', url: '/me', headers: { authorization: secrets[0], cookie: secrets[1] } } },
      { req: { method: 'POST', url: '/auth/bot', header: { authorization: secrets[2], cookie: secrets[1] } } },
      { headers: { authorization: secrets[0], cookie: secrets[1] } },
      { token: secrets[3], initData: secrets[4], password: secrets[5] },
      { body: { token: secrets[3], initData: secrets[4] } },
      { session: { token: secrets[3] } },
    );
    for (const secret of secrets) assert.ok(!text.includes(secret), `${secret} was logged:\n${text}`);
    assert.ok(text.includes('/auth/bot'), 'everything else is kept');
  });
});
