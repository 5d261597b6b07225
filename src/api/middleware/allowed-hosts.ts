import type { Middleware } from 'koa';
import { badRequest } from '../../lib/errors.js';

/** Refuses requests whose Host is not in ALLOWED_HOSTS ('*' allows any; '.example.com' allows subdomains). */
export function allowedHosts(hosts: readonly string[]): Middleware {
  const any = hosts.includes('*');
  const exact = new Set(hosts.filter((h) => !h.startsWith('.')).map((h) => h.toLowerCase()));
  const suffixes = hosts.filter((h) => h.startsWith('.')).map((h) => h.toLowerCase());
  return (ctx, next) => {
    // Node keeps the first of repeated Host headers, and Koa reads `Host: a:1, b` as host `a`: either way the
    // client names two hosts, and whatever checks or routes on the other one may disagree with this check.
    if (hostHeaderCount(ctx.req.rawHeaders) > 1 || ctx.get('Host').includes(',')) throw badRequest('Send exactly one Host header naming one host.');
    // Behind a trusted proxy Koa reads the first X-Forwarded-Host; a list means a client wrote that first one.
    if (ctx.app.proxy && ctx.get('X-Forwarded-Host').includes(',')) throw badRequest('X-Forwarded-Host must name one host.');
    if (any) return next();
    const host = ctx.hostname.toLowerCase();
    const bracketed = host.includes(':') ? `[${host}]` : host;
    if (exact.has(host) || exact.has(bracketed) || suffixes.some((s) => host.endsWith(s) || host === s.slice(1))) return next();
    // API.md's code for any refused request input (Django's DisallowedHost is a 400 too).
    throw badRequest('The Host header names a host this server does not serve.');
  };
}

/** How many Host headers the client sent (rawHeaders alternates names and values). */
export function hostHeaderCount(raw: readonly string[]): number {
  let count = 0;
  for (let i = 0; i < raw.length; i += 2) if (raw[i]!.length === 4 && raw[i]!.toLowerCase() === 'host') count += 1;
  return count;
}
