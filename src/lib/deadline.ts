/**
 * Waits for `work` at most `ms` milliseconds. When the deadline comes first, the result is what `onTimeout`
 * returns (or its throw, as a rejection); `work` keeps running but its outcome, even a rejection, is no longer
 * anyone's concern. The timer is cleared either way, so a settled wait keeps no process alive.
 */
export async function withDeadline<T, F>(work: Promise<T>, ms: number, onTimeout: () => F): Promise<T | F> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<F>((resolve, reject) => {
    timer = setTimeout(() => {
      try {
        resolve(onTimeout());
      } catch (err) {
        reject(err);
      }
    }, ms);
  });
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}
