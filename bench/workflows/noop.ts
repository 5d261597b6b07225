// The benchmark's own workflow bundle: a workflow that does nothing, to measure the Temporal dev server's ceiling.

/** Completes at once: one workflow task, no activity, no timer. */
export async function noop(): Promise<string> {
  return 'ok';
}
