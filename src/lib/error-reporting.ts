import type { Config } from '../config.js';
import type { Logger } from './logger.js';

/** Sends unhandled errors to an error tracker (Sentry), tagged with the request id. */
export interface ErrorReporter {
  /** Reports one unhandled error of a request; never throws, never waits. */
  report(err: unknown, requestId: string): void;
  /** Sends what is still queued (bounded wait); call on shutdown. */
  close(): Promise<void>;
}

type SentrySdk = typeof import('@sentry/node');

const CLOSE_TIMEOUT_MS = 2000;

/**
 * With SENTRY_DSN, loads the official SDK (@sentry/node) and returns a reporter; without it returns
 * undefined and loads nothing. A DSN that cannot be used is logged once and reporting stays off.
 */
export function createErrorReporter(config: Pick<Config, 'SENTRY_DSN' | 'DEBUG'>, logger: Logger): ErrorReporter | undefined {
  const dsn = config.SENTRY_DSN;
  if (!dsn) return undefined;
  const sdk = loadSentry(dsn, config.DEBUG ? 'development' : 'production', logger);
  return {
    report(err, requestId) {
      void sdk.then((sentry) => sentry?.captureException(err, { tags: { request_id: requestId } }));
    },
    async close() {
      const sentry = await sdk;
      await sentry?.close(CLOSE_TIMEOUT_MS);
    },
  };
}

async function loadSentry(dsn: string, environment: string, logger: Logger): Promise<SentrySdk | undefined> {
  try {
    const sentry = await import('@sentry/node');
    // Errors only: no tracing, and no user data, cookies, headers or bodies (sessions, tokens) sent along.
    sentry.init({
      dsn,
      environment,
      dataCollection: { userInfo: false, cookies: false, httpHeaders: false, httpBodies: [], urlQueryParams: false },
    });
    if (!sentry.getClient()) throw new Error('the SDK did not start');
    return sentry;
  } catch (err) {
    logger.error({ err }, 'error reporting is off: @sentry/node could not start with SENTRY_DSN');
    return undefined;
  }
}
