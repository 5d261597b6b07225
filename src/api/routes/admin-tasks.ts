import Router from '@koa/router';
import { z } from 'zod';
import { ScheduleNotFoundError, ServiceError } from '@temporalio/client';
import type { AppDeps } from '../deps.js';
import { parseInput } from '../validate.js';
import { pageQuery } from '../pagination.js';
import { requireAdmin } from '../middleware/auth.js';
import { badRequest, notFound, unavailable } from '../../lib/errors.js';
import { WorkflowType } from '../../temporal/constants.js';
import { TASK_STATUS_QUERY, listWorkflows, type TaskStatusFilter } from '../../background/list-workflows.js';
import { isScheduleId } from '../../background/schedules.js';

const TasksQuery = z.object({
  status: z.enum(Object.keys(TASK_STATUS_QUERY) as [TaskStatusFilter, ...TaskStatusFilter[]]).optional(),
  type: z.enum(Object.values(WorkflowType)).optional(),
  ...pageQuery,
});

/** gRPC status INVALID_ARGUMENT: Temporal refused the request itself (here, a page token it did not issue). */
const INVALID_ARGUMENT = 3;

/** The gRPC status code behind a Temporal client error, if any. */
function grpcCode(err: unknown): number | undefined {
  const cause = err instanceof ServiceError ? err.cause : err;
  const code = (cause as { code?: unknown } | undefined)?.code;
  return typeof code === 'number' ? code : undefined;
}

/** Background work for admins: the workflows Temporal knows, and running a schedule now. */
export function adminTaskRoutes(deps: AppDeps): Router {
  const { temporal, logger } = deps;
  const router = new Router({ prefix: '/api/v1/admin' });

  router.get('/tasks', requireAdmin(deps), async (ctx) => {
    const query = parseInput(TasksQuery, ctx.query);
    try {
      ctx.body = await listWorkflows(temporal, query);
    } catch (err) {
      if (grpcCode(err) === INVALID_ARGUMENT && query.cursor) throw badRequest('The cursor is not valid.', [{ path: 'cursor', message: 'malformed cursor' }]);
      logger.warn({ err: (err as Error).message }, 'listing workflows failed');
      throw unavailable('Temporal is not reachable right now.');
    }
    ctx.set('Cache-Control', 'private, no-store');
  });

  router.post('/schedules/:id/trigger', requireAdmin(deps), async (ctx) => {
    const id = String(ctx.params.id);
    if (!isScheduleId(id)) throw notFound('Schedule');
    try {
      const client = await temporal.client();
      await client.connection.withDeadline(Date.now() + 5000, () => client.schedule.getHandle(id).trigger('SKIP'));
    } catch (err) {
      if (err instanceof ScheduleNotFoundError) throw notFound('Schedule');
      logger.warn({ err: (err as Error).message, scheduleId: id }, 'triggering a schedule failed');
      throw unavailable('Temporal is not reachable right now.');
    }
    logger.info({ scheduleId: id }, 'schedule triggered');
    ctx.status = 202;
    ctx.body = { scheduleId: id, status: 'triggered' };
  });

  return router;
}
