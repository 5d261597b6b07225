import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ScheduleOptionsAction } from '@temporalio/client';
import { enqueueWorkflow, type OutboxTx } from '../../src/outbox/outbox.js';
import { startWorkflow, type StartDeps, type WorkflowStart } from '../../src/temporal/start-workflow.js';
import { scheduleDefinitions } from '../../src/temporal/schedules.js';
import { WorkflowType, type WorkflowInput, type WorkflowRequest } from '../../src/temporal/constants.js';
import * as workflows from '../../src/workflows/index.js';

/*
 * The Temporal boundary is checked by the compiler: `npm run typecheck` fails when a line marked
 * @ts-expect-error compiles, that is when a wrong workflow name or input would reach Temporal. The functions
 * below are never called; only their types matter.
 */

function enqueueChecks(tx: OutboxTx): void {
  void enqueueWorkflow(tx, { workflowType: WorkflowType.processUpload, workflowId: 'w', input: { uploadId: 1 }, summary: 's' });
  // @ts-expect-error a renamed input field (uploadId -> upload) is a compile error
  void enqueueWorkflow(tx, { workflowType: WorkflowType.processUpload, workflowId: 'w', input: { upload: 1 }, summary: 's' });
  // @ts-expect-error another workflow's input does not fit
  void enqueueWorkflow(tx, { workflowType: WorkflowType.contactForm, workflowId: 'w', input: { uploadId: 1 }, summary: 's' });
  // @ts-expect-error a wrongly typed field
  void enqueueWorkflow(tx, { workflowType: WorkflowType.generateOgImage, workflowId: 'w', input: { subject: 'user', id: 1, version: 1 }, summary: 's' });
  // @ts-expect-error a workflow type that src/workflows does not export
  void enqueueWorkflow(tx, { workflowType: 'mineBitcoin', workflowId: 'w', input: {}, summary: 's' });
}

function startChecks(deps: StartDeps): void {
  void startWorkflow(deps, { workflowType: 'contactForm', workflowId: 'w', input: { contactId: 1 }, memo: { summary: 's' } });
  // @ts-expect-error a start carries its own workflow's input, not another's
  void startWorkflow(deps, { workflowType: 'contactForm', workflowId: 'w', input: { uploadId: 1 }, memo: { summary: 's' } });
  // @ts-expect-error the union of starts pairs each type with its input
  const mixed: WorkflowStart = { workflowType: 'sendEmail', workflowId: 'w', input: { contactId: 1 }, memo: { summary: 's' } };
  void mixed;
}

function inputChecks(): void {
  const tuning = { timeoutMs: 1, initialIntervalMs: 1, maxIntervalMs: 1, maxAttempts: 1 };
  const scheduled: WorkflowInput<'refreshStats'> = { tuning };
  // @ts-expect-error a scheduled workflow's input needs its tuning (schedules write it when saved)
  const untuned: WorkflowInput<'cleanupSessions'> = {};
  // @ts-expect-error callers of the outbox never pass tuning: startWorkflow adds it
  const tuned: WorkflowRequest<'processUpload'> = { uploadId: 1, tuning };
  void [scheduled, untuned, tuned];
}
void [enqueueChecks, startChecks, inputChecks];

test('WorkflowType names exactly the workflow functions the worker registers', () => {
  const exported = Object.keys(workflows).filter((name) => typeof (workflows as Record<string, unknown>)[name] === 'function');
  assert.deepEqual(Object.values(WorkflowType).sort(), exported.sort());
});

test('each schedule starts one of those workflows with its tuning as the one argument', () => {
  const config = { TEMPORAL_TASK_QUEUE: 'q', SCHEDULE_TIMEZONE: 'UTC', TASK_TIMEOUT_S: 30, TASK_RETRY_INITIAL_MS: 500, TASK_MAX_ATTEMPTS: 3 };
  for (const { action } of scheduleDefinitions(config) as { action: ScheduleOptionsAction }[]) {
    assert.ok((Object.values(WorkflowType) as unknown[]).includes(action.workflowType));
    assert.deepEqual(action.args, [{ tuning: { timeoutMs: 30_000, initialIntervalMs: 500, maxIntervalMs: 60_000, maxAttempts: 3 } }]);
  }
});
