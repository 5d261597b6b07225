import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import type { TaskTuning } from '../temporal/tuning.js';
import type { OgImageRequest, OgImageOutcome } from '../activities/og-image.js';
import { activityOptions } from './activity-options.js';

export interface GenerateOgImageInput extends OgImageRequest {
  tuning: TaskTuning;
}

/** Draws the 1200x630 Open Graph image of one version of a quiz or post and sets its URL if that version is still current. */
export async function generateOgImage({ tuning, ...request }: GenerateOgImageInput): Promise<OgImageOutcome> {
  const { renderOgImage } = proxyActivities<Activities>(activityOptions(tuning));
  return renderOgImage(request);
}
