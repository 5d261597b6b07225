import fs from 'node:fs';
import path from 'node:path';
import pino, { type Logger } from 'pino';
import type { Config } from '../config.js';
import { currentRequest } from './request-context.js';

export type { Logger };

/**
 * Credentials a log line must never carry, in every shape they could be logged in: request headers as
 * pino (`headers`) and Koa (`header`) serialize them, at the top or one level down, and tokens, init
 * data, passwords and secrets as fields.
 */
export const LOG_REDACTION = {
  paths: [
    ...['req', 'request', 'ctx.request'].flatMap((at) => ['headers', 'header'].flatMap((h) => [`${at}.${h}.authorization`, `${at}.${h}.cookie`])),
    ...['headers', 'header'].flatMap((h) => [`${h}.authorization`, `${h}.cookie`]),
    ...['token', 'initData', 'password', 'secret'].flatMap((field) => [field, `*.${field}`]),
  ],
  censor: '[redacted]',
};

/** JSON logs to stdout (and LOG_DIR/<name>.log when set); each line of a request carries its id. */
export function createLogger(config: Pick<Config, 'LOG_LEVEL' | 'LOG_DIR'>, name = 'quiz-backend'): Logger {
  const streams: pino.StreamEntry[] = [{ stream: pino.destination({ fd: 1, sync: false }) }];
  if (config.LOG_DIR) {
    fs.mkdirSync(config.LOG_DIR, { recursive: true });
    streams.push({ stream: pino.destination({ dest: path.join(config.LOG_DIR, `${name}.log`), sync: false, mkdir: true }) });
  }
  return pino(
    {
      name,
      level: config.LOG_LEVEL,
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      mixin() {
        const request = currentRequest();
        return request ? { requestId: request.requestId } : {};
      },
      redact: LOG_REDACTION,
    },
    pino.multistream(streams),
  );
}
