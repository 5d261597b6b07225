import { ApplicationFailure, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import type { TaskTuning } from '../temporal/tuning.js';
import type { ImportOutcome } from '../activities/imports.js';
import { activityOptions, failureReason } from './activity-options.js';

export interface ImportQuizzesInput {
  importId: number;
  tuning: TaskTuning;
}

/** An import of 10,000 questions writes about a hundred quizzes: minutes at worst, with a heartbeat per quiz. */
const IMPORT_TIMEOUT_MS = 15 * 60_000;
const IMPORT_HEARTBEAT_MS = 60_000;

/**
 * Parses, validates and writes a stored quiz file (activity runImport, which records its own progress and
 * skips what a previous attempt wrote). A failure that outlasts every retry is recorded on the import.
 */
export async function importQuizzes({ importId, tuning }: ImportQuizzesInput): Promise<ImportOutcome> {
  const { runImport } = proxyActivities<Activities>({ ...activityOptions(tuning), startToCloseTimeout: IMPORT_TIMEOUT_MS, heartbeatTimeout: IMPORT_HEARTBEAT_MS });
  const { markImportFailed } = proxyActivities<Activities>(activityOptions(tuning));
  try {
    return await runImport(importId);
  } catch (err) {
    const reason = failureReason(err);
    await markImportFailed(importId, reason);
    throw ApplicationFailure.nonRetryable(`import ${importId} failed: ${reason}`, 'ImportFailed');
  }
}
