/** The bytes are not an image we can read (corrupt, truncated, unsupported or too large): retrying cannot help. */
export class UnreadableImageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnreadableImageError';
  }
}
