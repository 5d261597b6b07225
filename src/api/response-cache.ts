/**
 * Repeats public answers without running the middleware chain, for as long as they are provably current.
 *
 * A public read (200, `Cache-Control: public`, a string body with an ETag) is, by the API's design, a
 * function of its URL and of the cache entries it read. When every entry it read came from this process's
 * near cache (no miss, no SQL), the answer is recorded with the identity of those copies. The next GET of the
 * same URL, Host and X-Forwarded-Host, without credentials or a body, is answered from the record while each
 * of those copies is still the near cache's current one: exactly when running the route again would read
 * the same values. Every write drops the copies it changes in every process (near-cache.ts), and so the
 * records built from them, so a repeated answer is never staler than a read through the route.
 *
 * A repeated answer carries the recorded headers (security headers, Cache-Control, ETag, Content-Type,
 * Content-Length) and a fresh X-Request-ID, honours If-None-Match, is counted in the request metrics under
 * its route pattern and as cache hits of the entries it stands for, and gets the performance headers when
 * they are on. A route whose answer depends on the clock bounds its repetition (repeatableUntil).
 */
import type { IncomingMessage, OutgoingHttpHeader, ServerResponse } from 'node:http';
import type Koa from 'koa';
import type { Middleware } from 'koa';
import { LRUCache } from 'lru-cache';
import type { Cache } from '../cache/cache.js';
import { currentRequest, type CopyRead } from '../lib/request-context.js';
import { metrics } from '../metrics/metrics.js';
import { etagMatches } from './cached-response.js';
import { routePattern } from './middleware/perf.js';
import { requestIdFrom } from './middleware/request-id.js';
import { hostHeaderCount } from './middleware/allowed-hosts.js';

/** Records kept per process: far above the public URLs a bot's traffic uses. */
const MAX_RECORDS = 5000;
/** And at most this many characters of body and key text (the bodies are mostly strings the near cache holds too). */
const MAX_CHARS = 16 * 1024 * 1024;
/** Set per request, never recorded. */
const PER_REQUEST = new Set(['x-request-id', 'x-request-time', 'x-sql-queries', 'x-cache-hits', 'x-cache-misses', 'date', 'connection', 'keep-alive']);
/** What Koa leaves out of a 304. */
const NOT_IN_304 = new Set(['content-type', 'content-length', 'transfer-encoding']);

interface Recorded {
  route: string;
  etag: string;
  body: string;
  /** Flat name, value pairs for writeHead, in the order the chain set them. */
  headers: string[];
  headersNotModified: string[];
  /**
   * The copies it was built from, held weakly: a record must not keep a dropped copy (a whole leaderboard
   * snapshot, say) alive, and a copy that was collected is certainly no longer current.
   */
  reads: readonly (readonly [key: string, copy: WeakRef<object>])[];
  until: number;
}

const caches = new WeakMap<Koa, ResponseCache>();

/** The response cache createApp attached to `app`, if any (http-server.ts serves from it). */
export function responseCacheOf(app: Koa): ResponseCache | undefined {
  return caches.get(app);
}

export class ResponseCache {
  private readonly records = new LRUCache<string, Recorded>({ max: MAX_RECORDS, maxSize: MAX_CHARS, sizeCalculation: (r, key) => r.body.length + key.length + 1 });

  constructor(
    private readonly cache: Cache,
    private readonly perfHeaders: boolean,
  ) {}

  /** Attaches this cache to `app` and adds its recorder (must run inside assignRequestId, outside everything else). */
  attach(app: Koa): void {
    caches.set(app, this);
    app.use(this.recorder());
  }

  /** Records the answers that may be repeated; see the file header for which. */
  recorder(): Middleware {
    return async (ctx, next) => {
      await next();
      if (ctx.method !== 'GET' || ctx.status !== 200 || typeof ctx.body !== 'string' || !repeatable(ctx.req)) return;
      const stats = currentRequest();
      const reads = stats?.copiesRead;
      if (!stats || !reads || reads.length === 0 || stats.sqlQueries > 0 || stats.cacheMisses > 0) return;
      const res = ctx.res;
      const etag = res.getHeader('etag');
      if (typeof etag !== 'string' || !/^public\b/.test(String(res.getHeader('cache-control') ?? ''))) return;
      if (res.hasHeader('vary') || res.hasHeader('set-cookie')) return;
      if (stats.repeatableUntil <= Date.now() || !this.cache.stillCurrent(reads)) return;
      const headers: string[] = [];
      const headersNotModified: string[] = [];
      // Names as the chain spelled them (Node has this on every OutgoingMessage; its types list it for requests only).
      for (const name of (res as ServerResponse & { getRawHeaderNames(): string[] }).getRawHeaderNames()) {
        const lower = name.toLowerCase();
        if (PER_REQUEST.has(lower)) continue;
        for (const value of values(res.getHeader(name))) {
          headers.push(name, value);
          if (!NOT_IN_304.has(lower)) headersNotModified.push(name, value);
        }
      }
      const weakReads = reads.map(([key, copy]) => [key, new WeakRef(copy)] as const);
      const record: Recorded = { route: routePattern(ctx), etag, body: ctx.body, headers, headersNotModified, reads: weakReads, until: stats.repeatableUntil };
      this.records.set(keyOf(ctx.req), record);
    };
  }

  /** Answers `req` from a current record and returns true, or returns false (and answers nothing). */
  serve(req: IncomingMessage, res: ServerResponse): boolean {
    if (req.method !== 'GET' || !repeatable(req)) return false;
    const key = keyOf(req);
    const record = this.records.get(key);
    if (!record) return false;
    // Node keeps only the first of repeated Host headers: such a request goes to the chain, which refuses it.
    if (hostHeaderCount(req.rawHeaders) > 1) return false;
    const reads = record.until > Date.now() ? liveReads(record.reads) : undefined;
    if (!reads || !this.cache.stillCurrent(reads)) {
      this.records.delete(key);
      return false;
    }
    const started = process.hrtime.bigint();
    const notModified = etagMatches(header(req, 'if-none-match'), record.etag);
    const status = notModified ? 304 : 200;
    const headers = ['X-Request-ID', requestIdFrom(header(req, 'x-request-id') || undefined)].concat(notModified ? record.headersNotModified : record.headers);
    this.cache.countRepeatedReads(reads);
    // Up to the answer's write, as the chain's timing middleware measures it.
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    if (this.perfHeaders) headers.push('X-Request-Time', `${seconds.toFixed(3)}s`, 'X-SQL-Queries', '0', 'X-Cache-Hits', String(reads.length), 'X-Cache-Misses', '0');
    res.writeHead(status, headers);
    res.end(notModified ? undefined : record.body);
    metrics.responseRepeated();
    metrics.observeRequest('GET', record.route, status, seconds);
    return true;
  }
}

/** The copies a record was built from, or undefined once one of them was collected (so not current). */
function liveReads(reads: Recorded['reads']): CopyRead[] | undefined {
  const live: CopyRead[] = [];
  for (const [key, ref] of reads) {
    const copy = ref.deref();
    if (!copy) return undefined;
    live.push([key, copy]);
  }
  return live;
}

/** No credentials (an answer may not be shared across them) and no body (the chain would have read it). */
function repeatable(req: IncomingMessage): boolean {
  const h = req.headers;
  if (h.authorization !== undefined || h.cookie !== undefined || h['transfer-encoding'] !== undefined) return false;
  return h['content-length'] === undefined || h['content-length'] === '0';
}

/** The URL with what decides whether the host is served: Host and (behind a trusted proxy) X-Forwarded-Host. */
function keyOf(req: IncomingMessage): string {
  return `${req.url ?? ''}\n${header(req, 'host')}\n${header(req, 'x-forwarded-host')}`;
}

function header(req: IncomingMessage, name: string): string {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(', ') : (value ?? '');
}

function values(value: OutgoingHttpHeader | undefined): string[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value.map(String) : [String(value)];
}
