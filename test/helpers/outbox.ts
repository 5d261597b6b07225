/** Where the tests find the workflow an outbox entry started. */
import type { Database } from '../../src/db/database.js';
import { temporalWorkflowId } from '../../src/temporal/constants.js';

/** The Temporal id the workflow of outbox entry `key` (a workflowIds.* value) runs under. */
export async function workflowIdOf(db: Database, key: string): Promise<string> {
  const entry = await db.prisma.outboxEntry.findUniqueOrThrow({ where: { workflowId: key }, select: { workflowId: true, uid: true } });
  return temporalWorkflowId(entry);
}
