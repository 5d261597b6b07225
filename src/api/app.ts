import Koa from 'koa';
import Router from '@koa/router';
import { bodyParser } from '@koa/bodyparser';
import type { AppDeps } from '../app-deps.js';
import { assignRequestId } from './middleware/request-id.js';
import { errorHandler } from './middleware/errors.js';
import { performance } from './middleware/perf.js';
import { installRequestSignal, requestTimeout } from './middleware/timeout.js';
import type { ErrorReporter } from '../lib/error-reporting.js';
import { allowedHosts } from './middleware/allowed-hosts.js';
import { bodyTimeout } from './middleware/body-timeout.js';
import { API_CSP, securityHeaders } from './middleware/security-headers.js';
import { resourceRouters } from './routes/index.js';
import { ResponseCache } from './response-cache.js';

export const JSON_BODY_LIMIT = '1mb';

/**
 * Builds the Koa application: request id, the response cache's recorder (RESPONSE_CACHE, with the near
 * cache on; the HTTP server answers repeated public reads from it), timing and metrics, errors (reported
 * when a reporter is given), API_TIMEOUT_S, security headers, host allow-list, BODY_TIMEOUT_S, JSON bodies, routes.
 */
export function createApp(deps: AppDeps, options: { reportError?: ErrorReporter['report'] } = {}): Koa {
  // Each proxy appends the address it saw to X-Forwarded-For; entries left of the hops we run are client-written.
  const app = new Koa({ proxy: deps.config.TRUST_PROXY, maxIpsCount: deps.config.TRUST_PROXY_HOPS });
  app.silent = true;
  installRequestSignal(app);
  app.use(assignRequestId());
  if (deps.config.RESPONSE_CACHE && deps.cache.keepsCopies) new ResponseCache(deps.cache, deps.config.DEBUG || deps.config.PERF_HEADERS).attach(app);
  app.use(performance(deps.config, deps.logger));
  app.use(errorHandler(deps.logger, options.reportError));
  app.use(requestTimeout(deps.config.API_TIMEOUT_S, deps.logger));
  app.use(securityHeaders({ contentSecurityPolicy: { directives: API_CSP } }));
  app.use(allowedHosts(deps.config.ALLOWED_HOSTS));
  app.use(bodyTimeout(deps.config.BODY_TIMEOUT_S));
  app.use(bodyParser({ enableTypes: ['json'], jsonLimit: JSON_BODY_LIMIT, encoding: 'utf-8' }));

  const router = new Router();
  for (const resource of resourceRouters(deps)) router.use(resource.routes());
  app.use(router.routes());
  app.use(router.allowedMethods());
  return app;
}
