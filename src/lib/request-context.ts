import { AsyncLocalStorage } from 'node:async_hooks';

/** What one request has done so far; read by the performance headers, logs and workflow memos. */
export interface RequestStats {
  readonly requestId: string;
  sqlQueries: number;
  cacheHits: number;
  cacheMisses: number;
}

const storage = new AsyncLocalStorage<RequestStats>();

/** Runs `fn` with a fresh per-request counter set bound to the async context. */
export function runWithRequest<T>(requestId: string, fn: () => T): T {
  return storage.run({ requestId, sqlQueries: 0, cacheHits: 0, cacheMisses: 0 }, fn);
}

/** The counters of the request running now, or undefined outside a request. */
export function currentRequest(): RequestStats | undefined {
  return storage.getStore();
}

/** Runs `fn` outside any request: background work it starts is counted in no request's statistics. */
export function outsideRequest<T>(fn: () => T): T {
  return storage.exit(fn);
}
