/** The read mix of a bot's traffic as a replayable request list (pure: unit-tested in test/bench). */
import type { RequestSpec } from '../lib/load/types.js';
import type { DemoKeys } from './demo-data.js';
import { seededRandom } from '../../src/lib/seeded-random.js';

/** Share of each kind of read; a kind whose route has not landed passes its share to quiz detail. */
export const READ_MIX_WEIGHTS = { quizList: 0.2, quizDetail: 0.35, stats: 0.15, leaderboard: 0.15, postDetail: 0.15 } as const;
/** About 80 % of reads go to the most popular 20 % of keys. */
export const HOT_SHARE = 0.8;
export const HOT_FRACTION = 0.2;

/** The seed's deterministic PRNG, so every run replays the same mix. */
export { seededRandom };

/** Picks from `keys`: with HOT_SHARE from the first HOT_FRACTION of them (the popular ones), else from all. */
export function pickKey<T>(keys: readonly T[], random: () => number): T {
  const hot = Math.max(1, Math.ceil(keys.length * HOT_FRACTION));
  const pool = random() < HOT_SHARE ? hot : keys.length;
  return keys[Math.floor(random() * pool)]!;
}

/** `size` GET requests in the proportions of READ_MIX_WEIGHTS, shuffled deterministically. */
export function buildReadMix(keys: Pick<DemoKeys, 'quizzes' | 'categories' | 'posts' | 'userIds' | 'leaderboard'>, size = 2000, seed = 6): RequestSpec[] {
  const random = seededRandom(seed);
  const w = { ...READ_MIX_WEIGHTS } as Record<keyof typeof READ_MIX_WEIGHTS, number>;
  if (keys.posts.length === 0) (w.quizDetail += w.postDetail), (w.postDetail = 0);
  if (!keys.leaderboard) (w.quizDetail += w.leaderboard), (w.leaderboard = 0);
  if (keys.userIds.length === 0) (w.quizDetail += w.stats), (w.stats = 0);
  if (keys.quizzes.length === 0) throw new Error('the read mix needs at least one quiz');
  const lists = ['/api/v1/quizzes', '/api/v1/quizzes?limit=10', ...keys.categories.map((c) => `/api/v1/quizzes?category=${encodeURIComponent(c)}`)];
  const make: Record<keyof typeof w, () => string> = {
    quizList: () => pickKey(lists, random),
    quizDetail: () => `/api/v1/quizzes/${pickKey(keys.quizzes, random).slug}`,
    stats: () => `/api/v1/users/${pickKey(keys.userIds, random)}/stats`,
    leaderboard: () => (random() < 0.8 ? '/api/v1/leaderboard' : '/api/v1/leaderboard?limit=100'),
    postDetail: () => `/api/v1/posts/${pickKey(keys.posts, random)}`,
  };
  const out: RequestSpec[] = [];
  for (const [kind, share] of Object.entries(w) as [keyof typeof w, number][]) {
    for (let i = 0; i < Math.round(share * size); i += 1) out.push({ method: 'GET', path: make[kind]() });
  }
  for (let i = out.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
