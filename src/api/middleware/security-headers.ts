import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Middleware } from 'koa';
import helmet, { type HelmetOptions } from 'helmet';

type Directives = NonNullable<Exclude<HelmetOptions['contentSecurityPolicy'], boolean | undefined>['directives']>;

/** Every response's policy: the API serves JSON and images, and nothing in it may run or be framed. */
export const API_CSP: Directives = { defaultSrc: ["'none'"], imgSrc: ["'self'"], frameAncestors: ["'none'"] };

/**
 * /docs only: Swagger UI (swagger-ui-dist, served by this API, no CDN) runs its own script and stylesheet,
 * shows the data: images its stylesheet embeds and fetches this origin (the document, "Try it out").
 * Exactly that, without helmet's defaults (fonts from any https: origin, among others). Checked in
 * Chromium with an operation open: no violation; its inline styles are set through the DOM, which
 * style-src does not restrict, so no 'unsafe-inline'.
 */
export const DOCS_CSP = {
  useDefaults: false,
  directives: {
    defaultSrc: ["'none'"],
    scriptSrc: ["'self'"],
    styleSrc: ["'self'"],
    imgSrc: ["'self'", 'data:'],
    connectSrc: ["'self'"],
    frameAncestors: ["'none'"],
    baseUri: ["'none'"],
    formAction: ["'none'"],
  },
} satisfies HelmetOptions['contentSecurityPolicy'];

/**
 * Helmet's security headers for `options`. They do not depend on the request, so helmet runs once here
 * and each response only gets the result copied onto it: running helmet's own middleware chain per
 * request (through a promisified Express adapter) cost ~5 % of a cached read's CPU.
 */
export function securityHeaders(options: HelmetOptions): Middleware {
  // A function among the options (a CSP nonce, say) is evaluated per request by helmet: not computable once.
  if (containsFunction(options)) throw new Error('helmet options depend on the request; its headers cannot be worked out once');
  const set: [string, string][] = [];
  const removed: string[] = [];
  const recorder = {
    setHeader: (name: string, value: string | number | readonly string[]) => set.push([name, String(value)]),
    removeHeader: (name: string) => removed.push(name),
  };
  let finished = false;
  helmet(options)({} as IncomingMessage, recorder as unknown as ServerResponse, (err?: unknown) => {
    if (err) throw err;
    finished = true;
  });
  if (!finished) throw new Error('helmet did not finish synchronously; its headers cannot be worked out once');
  return (ctx, next) => {
    const res = ctx.res;
    for (const [name, value] of set) res.setHeader(name, value);
    for (const name of removed) res.removeHeader(name);
    return next();
  };
}

function containsFunction(value: unknown): boolean {
  if (typeof value === 'function') return true;
  if (value === null || typeof value !== 'object') return false;
  return Object.values(value).some(containsFunction);
}
