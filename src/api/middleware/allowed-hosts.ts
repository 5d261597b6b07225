import type { Middleware } from 'koa';
import { badRequest } from '../../lib/errors.js';

/** Refuses requests whose Host is not in ALLOWED_HOSTS ('*' allows any; '.example.com' allows subdomains). */
export function allowedHosts(hosts: readonly string[]): Middleware {
  const any = hosts.includes('*');
  const exact = new Set(hosts.filter((h) => !h.startsWith('.')).map((h) => h.toLowerCase()));
  const suffixes = hosts.filter((h) => h.startsWith('.')).map((h) => h.toLowerCase());
  return (ctx, next) => {
    if (any) return next();
    const host = ctx.hostname.toLowerCase();
    const bracketed = host.includes(':') ? `[${host}]` : host;
    if (exact.has(host) || exact.has(bracketed) || suffixes.some((s) => host.endsWith(s) || host === s.slice(1))) return next();
    // API.md's code for any refused request input (Django's DisallowedHost is a 400 too).
    throw badRequest('The Host header names a host this server does not serve.');
  };
}
