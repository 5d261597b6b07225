import assert from 'node:assert/strict';
import { test } from 'node:test';
import { withDeadline } from '../../src/lib/deadline.js';

const never = new Promise<string>(() => undefined);

test('work that settles before the deadline gives its own value or error', async () => {
  assert.equal(await withDeadline(Promise.resolve('done'), 60_000, () => 'late'), 'done');
  await assert.rejects(
    withDeadline(Promise.reject(new Error('broken')), 60_000, () => 'late'),
    /broken/,
  );
});

test('work still running at the deadline gives what onTimeout returns, or its throw', async () => {
  assert.equal(await withDeadline(never, 1, () => 'late'), 'late');
  await assert.rejects(
    withDeadline(never, 1, (): never => {
      throw new Error('gave up');
    }),
    /gave up/,
  );
});

test("work that fails after the deadline is nobody's unhandled rejection", async () => {
  let fail: (err: Error) => void = () => undefined;
  const work = new Promise<string>((_, reject) => (fail = reject));
  assert.equal(await withDeadline(work, 1, () => 'late'), 'late');
  const unhandled: unknown[] = [];
  const record = (reason: unknown) => unhandled.push(reason);
  process.on('unhandledRejection', record);
  fail(new Error('too late'));
  await new Promise((resolve) => setImmediate(resolve));
  process.off('unhandledRejection', record);
  assert.deepEqual(unhandled, []);
});
