import type { Prisma } from '../generated/prisma/client.js';
import { currentRequest } from '../lib/request-context.js';
import { WorkflowType, temporalWorkflowId, workflowIds, type WorkflowMemo, type WorkflowRequest, type WorkflowTypeName } from '../temporal/constants.js';
import type { WorkflowStart } from '../temporal/start-workflow.js';

/** The client of a Prisma interactive transaction (`db.prisma.$transaction(async (tx) => ...)`). */
export type OutboxTx = Prisma.TransactionClient;

/** An outbox row as written (`workflowId` is its workflow's Temporal id); its commit wakes the dispatcher (see outbox-wake.ts). */
export type OutboxRef<W extends WorkflowTypeName = WorkflowTypeName> = WorkflowStart<W> & { id: number };

/** An entry to write: `input` is typed by the workflow function `workflowType` names (without its tuning). */
export interface EnqueueRequest<W extends WorkflowTypeName> {
  workflowType: W;
  /** The entry's key (workflowIds); the workflow runs as temporalWorkflowId of the entry. */
  workflowId: string;
  input: WorkflowRequest<W>;
  /** What the workflow does, for people reading the Web UI. */
  summary: string;
  /** Defaults to the id of the request being served. */
  requestId?: string | undefined;
  /** More memo fields for the Web UI (a game's chat, quiz, starter). */
  memo?: Record<string, string>;
}

/**
 * Writes the start of a workflow in the caller's transaction, so it exists exactly when the row it acts
 * on does. Enqueuing a key twice keeps the first entry (and its workflow id) while it is kept (dispatched entries
 * are pruned after OUTBOX_RETENTION_DAYS); keys come from the row acted on, so nothing enqueues an old one again.
 */
export async function enqueueWorkflow<W extends WorkflowTypeName>(tx: OutboxTx, request: EnqueueRequest<W>): Promise<OutboxRef<W>> {
  const requestId = request.requestId ?? currentRequest()?.requestId;
  const memo: WorkflowMemo = { ...request.memo, ...(requestId ? { requestId } : {}), summary: request.summary };
  const row = await tx.outboxEntry.upsert({
    where: { workflowId: request.workflowId },
    create: { workflowType: request.workflowType, workflowId: request.workflowId, args: [request.input] as Prisma.InputJsonValue, memo: { ...memo } },
    update: {},
  });
  const start = { workflowType: request.workflowType, workflowId: temporalWorkflowId(row), input: request.input, memo } as WorkflowStart<W>;
  return { ...start, id: row.id };
}

export interface OgImageSubject {
  subject: 'quiz' | 'post';
  id: number;
  /** The subject's `version` as written in this transaction. */
  version: number;
  requestId?: string | undefined;
}

/** Enqueues the Open Graph image of this version of a quiz or post (workflow id og-<subject>-<id>-<version>). */
export function enqueueOgImage(tx: OutboxTx, { subject, id, version, requestId }: OgImageSubject): Promise<OutboxRef> {
  return enqueueWorkflow(tx, {
    workflowType: WorkflowType.generateOgImage,
    workflowId: workflowIds.ogImage(subject, id, version),
    input: { subject, id, version },
    summary: `Open Graph image of ${subject} ${id}, version ${version}`,
    requestId,
  });
}

/** Enqueues the processing of a stored upload. */
export function enqueueUpload(tx: OutboxTx, uploadId: number, name: string): Promise<OutboxRef> {
  return enqueueWorkflow(tx, {
    workflowType: WorkflowType.processUpload,
    workflowId: workflowIds.upload(uploadId),
    input: { uploadId },
    summary: `Process upload ${uploadId} (${name})`,
  });
}
