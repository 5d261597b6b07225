import fs from 'node:fs';
import path from 'node:path';
import pino, { type Logger } from 'pino';
import type { Config } from '../config.js';
import { currentRequest } from './request-context.js';

export type { Logger };

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
      redact: {
        paths: ['req.headers.authorization', 'req.headers.cookie', '*.password', '*.token', '*.secret', 'initData'],
        censor: '[redacted]',
      },
    },
    pino.multistream(streams),
  );
}
