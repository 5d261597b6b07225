import { AsyncLocalStorage } from 'node:async_hooks';

/** A near-cache copy a request read: the key and the copy object itself (its identity is what counts). */
export type CopyRead = readonly [key: string, copy: object];

/** What one request has done so far; read by the performance headers, logs, workflow memos and the response cache. */
export interface RequestStats {
  readonly requestId: string;
  sqlQueries: number;
  cacheHits: number;
  cacheMisses: number;
  /**
   * The near-cache copies the request read, in order; null once it read anything else (a miss, a value
   * from Redis that was not kept). See api/response-cache.ts.
   */
  copiesRead: CopyRead[] | null;
  /** Epoch ms after which the answer must not be repeated: it relied on the clock (see repeatableUntil). */
  repeatableUntil: number;
}

const storage = new AsyncLocalStorage<RequestStats>();

/** Runs `fn` with a fresh per-request counter set bound to the async context. */
export function runWithRequest<T>(requestId: string, fn: () => T): T {
  return storage.run({ requestId, sqlQueries: 0, cacheHits: 0, cacheMisses: 0, copiesRead: [], repeatableUntil: Number.POSITIVE_INFINITY }, fn);
}

/** The counters of the request running now, or undefined outside a request. */
export function currentRequest(): RequestStats | undefined {
  return storage.getStore();
}

/**
 * Declares that the running request's answer is only right until `epochMs` (it was chosen by the clock, not
 * only by what the request read): the response cache does not repeat it after that.
 */
export function repeatableUntil(epochMs: number): void {
  const request = storage.getStore();
  if (request && epochMs < request.repeatableUntil) request.repeatableUntil = epochMs;
}
