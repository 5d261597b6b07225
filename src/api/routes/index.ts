import type Router from '@koa/router';
import type { AppDeps } from '../../app-deps.js';
import { healthRoutes } from './health.js';
import { authRoutes } from './auth.js';
import { adminDashboardRoutes } from './admin-dashboard.js';
import { adminCacheRoutes } from './admin-cache.js';
import { postRoutes } from './posts.js';
import { quizRoutes } from './quizzes.js';
import { attemptRoutes } from './attempts.js';
import { statsRoutes } from './stats.js';
import { contactRoutes } from './contact.js';
import { uploadRoutes } from './uploads.js';
import { mediaRoutes } from './media.js';
import { adminTaskRoutes } from './admin-tasks.js';
import { metricsRoutes } from './metrics.js';
import { docsRoutes } from './docs.js';
import { adminImportRoutes } from './admin-imports.js';
import { adminExportRoutes } from './admin-exports.js';
import { adminBotRoutes } from './admin-bots.js';
import { telegramRoutes } from './telegram.js';
import { gameRoutes } from './games.js';

/**
 * Every resource router, in one list; each file under routes/ owns one resource. Each route is declared
 * through ApiRouter (src/api/route.ts), and /openapi.json is generated from this very list.
 */
export function resourceRouters(deps: AppDeps): Router[] {
  const routers = [
    healthRoutes(deps),
    authRoutes(deps),
    adminDashboardRoutes(deps),
    adminCacheRoutes(deps),
    postRoutes(deps),
    quizRoutes(deps),
    attemptRoutes(deps),
    statsRoutes(deps),
    metricsRoutes(deps),
    contactRoutes(deps),
    uploadRoutes(deps),
    mediaRoutes(deps),
    adminTaskRoutes(deps),
    adminImportRoutes(deps),
    adminExportRoutes(deps),
    adminBotRoutes(deps),
    telegramRoutes(deps),
    gameRoutes(deps),
  ];
  routers.push(docsRoutes(deps, () => routers));
  return routers;
}
