import Router from '@koa/router';
import { z } from 'zod';
import { ScheduleNotFoundError } from '@temporalio/client';
import type { AppDeps } from '../deps.js';
import { parseInput } from '../validate.js';
import { pageQuery } from '../pagination.js';
import { requireAdmin } from '../middleware/auth.js';
import { badRequest, notFound, unavailable } from '../../lib/errors.js';
import { WorkflowType } from '../../temporal/constants.js';
import { TASK_STATUS_QUERY, decodeTaskCursor, listWorkflows, type TaskStatusFilter } from '../../background/list-workflows.js';
import { isScheduleId } from '../../background/schedules.js';

const TasksQuery = z.object({
  status: z.enum(Object.keys(TASK_STATUS_QUERY) as [TaskStatusFilter, ...TaskStatusFilter[]]).optional(),
  type: z.enum(Object.values(WorkflowType)).optional(),
  ...pageQuery,
});

/** Background work for admins: the workflows Temporal knows, and running a schedule now. */
export function adminTaskRoutes(deps: AppDeps): Router {
  const { temporal, logger } = deps;
  const router = new Router({ prefix: '/api/v1/admin' });

  router.get('/tasks', requireAdmin(deps), async (ctx) => {
    const { cursor, ...query } = parseInput(TasksQuery, ctx.query);
    const pageToken = cursor === undefined ? undefined : decodeTaskCursor(cursor, deps.config.SECRET_KEY);
    if (cursor !== undefined && !pageToken) throw badRequest('The cursor is not valid.', [{ path: 'cursor', message: 'malformed cursor' }]);
    try {
      ctx.body = await listWorkflows(temporal, { ...query, pageToken }, deps.config.SECRET_KEY);
    } catch (err) {
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
