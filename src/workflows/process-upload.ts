import { ApplicationFailure, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import type { TaskTuning } from '../temporal/tuning.js';
import type { UploadOutcome } from '../activities/uploads.js';
import { activityOptions, failureReason } from './activity-options.js';

export interface ProcessUploadInput {
  uploadId: number;
  tuning: TaskTuning;
}

/**
 * Turns a stored upload into a re-encoded image and a thumbnail. A file that is not a readable image
 * ends `failed` with the reason and no retries; a failure that outlasts every retry is recorded too.
 */
export async function processUpload({ uploadId, tuning }: ProcessUploadInput): Promise<UploadOutcome> {
  const { processImage, markUploadFailed } = proxyActivities<Activities>(activityOptions(tuning));
  try {
    return await processImage(uploadId);
  } catch (err) {
    const reason = failureReason(err);
    await markUploadFailed(uploadId, reason);
    throw ApplicationFailure.nonRetryable(`upload ${uploadId} could not be processed: ${reason}`, 'UploadFailed');
  }
}
