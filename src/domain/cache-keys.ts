/** Every cache key the application uses, defined once (writers and readers share these). */
export const cacheKeys = {
  session: (tokenHash: string) => `session:${tokenHash}`,
  /** Current generation of the quiz list pages: every quiz write replaces it, orphaning all cached pages at once. */
  quizListGeneration: 'quizzes:list:generation',
  /** One page of the public quiz list, within a generation. */
  quizListPage: (generation: string, category: string | undefined, limit: number, cursor: string | undefined) =>
    `quizzes:list:${generation}:${category ?? '*'}:${limit}:${cursor ?? ''}`,
  /** The public detail of one quiz (no correct flags). */
  quiz: (slug: string) => `quiz:${slug}`,
  /** The statistics of one user. */
  userStats: (userId: number) => `stats:user:${userId}`,
  /** The top of the leaderboard (as many entries as the largest `limit`). */
  leaderboard: 'leaderboard:top',
  /** Present (holding the snapshot's computedAt) while no points changed since that snapshot was loaded. */
  leaderboardClean: 'leaderboard:clean',
} as const;
