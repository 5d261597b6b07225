/**
 * The real app (createApp) on real services, with a probe router appended in the test only: routes
 * whose SQL and cache work is known exactly, to check what the middleware reports about them.
 *
 *   GET /probe/work/:sql/:hits/:misses   sends :sql statements (SELECT 1) and reads :hits cached and :misses absent keys
 *   GET /probe/transaction               one interactive transaction holding one SELECT
 *   GET /probe/sleep/:ms                 answers after :ms milliseconds
 *   GET /probe/abortable/:ms             like sleep, but stops early and logs `probe aborted` when ctx.signal aborts
 *   GET /probe/param/:value              one parameterised statement with :value as its parameter
 *   GET /probe/fail?n=                   throws a plain Error (an unhandled one), `probe failure <n>`
 */
import { randomUUID } from 'node:crypto';
import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import Router from '@koa/router';
import pino from 'pino';
import { loadConfig, type Env } from '../../src/config.js';
import { createInfrastructure, type Infrastructure } from '../../src/infrastructure.js';
import { createApp } from '../../src/api/app.js';
import { drain, listen } from '../../src/api/http-server.js';
import type { ErrorReporter } from '../../src/lib/error-reporting.js';
import { currentRequest } from '../../src/lib/request-context.js';
import { testEnv } from './api.js';

export const HIT_KEY = 'probe:always-there';

export interface ProbeApp {
  url: string;
  deps: Infrastructure;
  /** Log lines written so far (the app's logger, level debug). */
  logs: Record<string, unknown>[];
  close(): Promise<void>;
}

export async function startProbeApp(overrides: Env = {}, options: { reportError?: ErrorReporter['report'] } = {}): Promise<ProbeApp> {
  const env = await testEnv(overrides);
  const config = loadConfig({ ...env, PORT: '0' });
  const logs: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n')) if (line) logs.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  // As src/lib/logger.ts does it: each line of a request carries its id.
  const logger = pino({ level: 'debug', mixin: () => ({ requestId: currentRequest()?.requestId }) }, sink);
  const deps = await createInfrastructure(config, { name: 'probe', logger });
  // Redis connects in the background: the cached key must really be stored before the tests read it.
  while ((await deps.cache.ping()) !== 'ok') await sleep(50);
  await deps.cache.set(HIT_KEY, { there: true });
  const app = createApp(deps, options);
  app.use(probeRouter(deps).routes());
  const server: http.Server = await listen(app, config);
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    deps,
    logs,
    async close() {
      await drain(server, 1000);
      await deps.close();
    },
  };
}

function probeRouter({ db, cache, logger }: Infrastructure): Router {
  const router = new Router({ prefix: '/probe' });
  router.get('/work/:sql/:hits/:misses', async (ctx) => {
    const times = (n: string, fn: () => Promise<unknown>) => Array.from({ length: Number(n) }, fn);
    await Promise.all([...times(ctx.params.sql!, () => db.ping()), ...times(ctx.params.hits!, () => cache.get(HIT_KEY)), ...times(ctx.params.misses!, () => cache.get(`probe:absent:${randomUUID()}`))]);
    ctx.body = { done: true };
  });
  router.get('/transaction', async (ctx) => {
    await db.prisma.$transaction(async (tx) => tx.$queryRaw`SELECT 1`);
    ctx.body = { done: true };
  });
  router.get('/abortable/:ms', async (ctx) => {
    const signal = ctx.signal;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, Number(ctx.params.ms));
      signal.addEventListener(
        'abort',
        () => {
          clearTimeout(timer);
          logger.info('probe aborted');
          resolve();
        },
        { once: true },
      );
    });
    ctx.body = { done: true };
  });
  router.get('/sleep/:ms', async (ctx) => {
    await sleep(Number(ctx.params.ms));
    ctx.body = { slept: true };
  });
  router.get('/param/:value', async (ctx) => {
    await db.prisma.$queryRaw`SELECT ${ctx.params.value}::text AS v`;
    ctx.body = { done: true };
  });
  router.get('/fail', (ctx) => {
    throw new Error(`probe failure${ctx.query.n ? ` ${String(ctx.query.n)}` : ''}`);
  });
  return router;
}
