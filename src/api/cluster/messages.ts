/** Messages between the API primary and its HTTP workers. */
export type WorkerMessage = { type: 'ready' } | { type: 'retire' };
export type PrimaryMessage = { type: 'drain' };

export function isWorkerMessage(value: unknown): value is WorkerMessage {
  const type = (value as { type?: unknown } | null)?.type;
  return type === 'ready' || type === 'retire';
}

export function isPrimaryMessage(value: unknown): value is PrimaryMessage {
  return (value as { type?: unknown } | null)?.type === 'drain';
}
