import type Router from '@koa/router';
import { z } from 'zod';
import { ScheduleNotFoundError } from '@temporalio/client';
import type { AppDeps } from '../../app-deps.js';
import { ApiRouter } from '../route.js';
import { pageQuery } from '../pagination.js';
import { pageOf, Timestamp } from '../openapi/schemas.js';
import { badRequest, notFound, unavailable } from '../../lib/errors.js';
import { ScheduleId, WorkflowType } from '../../temporal/constants.js';
import { TASK_STATUS_QUERY, decodeTaskCursor, listWorkflows, type TaskStatusFilter } from '../../temporal/list-workflows.js';

const TasksQuery = z.object({
  status: z.enum(Object.keys(TASK_STATUS_QUERY) as [TaskStatusFilter, ...TaskStatusFilter[]]).optional(),
  type: z.enum(Object.values(WorkflowType)).optional(),
  ...pageQuery,
});
const Task = z.strictObject({
  workflowId: z.string(),
  runId: z.string(),
  type: z.string(),
  status: z.string(),
  startTime: Timestamp,
  closeTime: Timestamp.nullable(),
  summary: z.string().nullable(),
  requestId: z.string().nullable(),
});
const Triggered = z.strictObject({ scheduleId: z.enum(ScheduleId), status: z.literal('triggered') });

/** Background work for admins: the workflows Temporal knows, and running a schedule now. */
export function adminTaskRoutes(deps: AppDeps): Router {
  const { temporal, logger } = deps;
  const api = new ApiRouter(deps, { prefix: '/api/v1/admin', tag: 'Admin' });

  api.get('/tasks', { summary: 'Workflows as Temporal lists them', auth: 'admin', query: TasksQuery, responses: { 200: pageOf(Task) } }, async (ctx, input) => {
    const { cursor, ...query } = input.query;
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

  api.post('/schedules/:id/trigger', { summary: 'Run a schedule now', auth: 'admin', params: z.object({ id: z.enum(ScheduleId) }), notFound: 'Schedule', responses: { 202: Triggered } }, async (ctx, { params }) => {
    const { id } = params;
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

  return api.router;
}
