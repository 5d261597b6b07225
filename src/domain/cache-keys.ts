/** Every cache key the application uses, defined once (writers and readers share these). */
export const cacheKeys = {
  session: (tokenHash: string) => `session:${tokenHash}`,
  /** Current generation of the quiz list pages: every quiz write replaces it, orphaning all cached pages at once. */
  quizListGeneration: 'quizzes:list:generation',
  /** One page of the public quiz list, within a generation. */
  quizListPage: (generation: string, category: string | undefined, limit: number, cursor: string | undefined) => `quizzes:list:${generation}:${category ?? '*'}:${limit}:${cursor ?? ''}`,
  /** The public detail of one quiz (no correct flags). */
  quiz: (slug: string) => `quiz:${slug}`,
  /** The statistics of one user. */
  userStats: (userId: number) => `stats:user:${userId}`,
  /** The top of the leaderboard (as many entries as the largest `limit`). */
  leaderboard: 'leaderboard:top',
  /** Present (holding the snapshot's computedAt) while no points changed since that snapshot was loaded. */
  leaderboardClean: 'leaderboard:clean',
  /** Sorted set of user id -> points in one period bucket (period-leaderboard.ts). */
  periodLeaderboard: (period: string, bucket: string) => `lb:${period}:${bucket}`,
  /** Hash of user id -> username for the period leaderboards. */
  leaderboardNames: 'lb:names',
  /** Current generation of the post list pages: every post write replaces it, orphaning all cached pages at once. */
  postListGeneration: 'posts:list:generation',
  /** One page of the public post list, within a generation. */
  postListPage: (generation: string, limit: number, cursor: string | undefined) => `posts:list:${generation}:${limit}:${cursor ?? ''}`,
  /** The public detail of one published post. */
  post: (slug: string) => `post:${slug}`,
  /** The top of one chat's game points in one period bucket (chat-leaderboard.ts); dropped when a question is scored. */
  chatLeaderboard: (botId: string, chatId: string, period: string, bucket: string) => `chatlb:${botId}:${chatId}:${period}:${bucket}`,
} as const;
