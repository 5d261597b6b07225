/** Every cache key the application uses, defined once (writers and readers share these). */
export const cacheKeys = {
  session: (tokenHash: string) => `session:${tokenHash}`,
} as const;
