import { workflowInfo } from '@temporalio/workflow';
import type { WorkflowMemo } from '../temporal/constants.js';

/** The memo of a child workflow: the parent's request id (so the Web UI links both to one request) and a summary. */
export function childMemo(summary: string): WorkflowMemo {
  const requestId = workflowInfo().memo?.requestId;
  return typeof requestId === 'string' ? { requestId, summary } : { summary };
}
