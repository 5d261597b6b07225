/** `read-mix` and `read-mix-nocache`: the bot's read traffic against the API with its cache on, and off. */
import type { ApiTarget, BenchContext } from '../lib/context.js';
import { fillResult, measureLoad } from '../lib/measure.js';
import { machineLoad } from '../lib/proc-sampler.js';
import { emptyResult, type ScenarioResult } from '../lib/result.js';
import type { DemoKeys } from './demo-data.js';
import { buildReadMix, HOT_FRACTION, HOT_SHARE, READ_MIX_WEIGHTS } from './read-mix-requests.js';

/** GETs each path once, eight at a time. */
async function primePaths(baseUrl: string, paths: string[]): Promise<void> {
  let next = 0;
  const lane = async () => {
    for (let i = next++; i < paths.length; i = next++) await fetch(`${baseUrl}${paths[i]}`, { signal: AbortSignal.timeout(30_000) }).then((r) => r.arrayBuffer());
  };
  await Promise.all(Array.from({ length: 8 }, lane));
}

/** API_MAX_REQUESTS of read-mix-recycled: the default until issue 14, gunicorn's `--max-requests 1000` of the old stack. */
export const RECYCLED_MAX_REQUESTS = 1000;

/** `read-mix` (cache on), `read-mix-nocache` (an API with CACHE_DISABLED=true), `read-mix-recycled` (an API with API_MAX_REQUESTS=1000). */
export async function runReadMix(ctx: BenchContext, api: ApiTarget, keys: DemoKeys, variant: 'on' | 'off' | 'recycled'): Promise<ScenarioResult> {
  const name = { on: 'read-mix', off: 'read-mix-nocache', recycled: 'read-mix-recycled' }[variant];
  const shares = Object.entries(READ_MIX_WEIGHTS)
    .map(([k, v]) => `${k} ${Math.round(v * 100)} %`)
    .join(', ');
  const setup = variant === 'recycled' ? `cache on, API_MAX_REQUESTS=${RECYCLED_MAX_REQUESTS} (workers recycled)` : `cache ${variant}`;
  const description = `${shares}; ${Math.round(HOT_SHARE * 100)} % of reads on the top ${Math.round(HOT_FRACTION * 100)} % of keys; ${setup}`;
  const result = emptyResult(name, description, machineLoad().loadAvg1);
  const requests = buildReadMix(keys);
  // Every key read once first: a steady-state cache holds them all, and a short warm-up would miss the rare ones.
  await primePaths(api.url, [...new Set(requests.map((r) => r.path))]);
  const measured = await measureLoad(ctx, { baseUrl: api.url, connections: ctx.options.connections, requests }, { pid: api.pid, metricsUrl: `${api.url}/metrics` });
  result.extra = { quizzes: keys.quizzes.length, posts: keys.posts.length, users: keys.userIds.length, distinctPaths: new Set(requests.map((r) => r.path)).size };
  if (keys.posts.length === 0) result.notes.push('no post route yet: its share went to quiz detail');
  if (!keys.leaderboard) result.notes.push('no leaderboard route yet: its share went to quiz detail');
  return fillResult(result, measured);
}
