import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { after, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import pino from 'pino';
import { WorkerPool, type Member, type ReplaceReason } from '../../../src/api/cluster/worker-pool.js';
import type { WorkerMessage } from '../../../src/api/cluster/messages.js';
import { eventually } from '../../helpers/eventually.js';

// The pool's replacement rules with stand-in workers (test/fixtures/obedient-http-worker.mjs) that ask for
// whatever the test says: fast, and in the exact order the test wants.
const OBEDIENT = fileURLToPath(new URL('../../fixtures/obedient-http-worker.mjs', import.meta.url));

const pool = new WorkerPool(2, OBEDIENT, pino({ level: 'silent' }));
const replaced: (ReplaceReason | 'crash')[] = [];
/**
 * Most worker processes beyond the two slots at one time: a replacement in flight adds one (its successor
 * starting, or its old worker draining), two replacements in flight add two.
 */
let mostInFlight = 0;
const watch = () => {
  const c = pool.counts();
  mostInFlight = Math.max(mostInFlight, c.starting + c.standby + c.draining + c.active - 2);
};
const ticker = setInterval(watch, 2);
pool.on('replaced', (reason) => replaced.push(reason));
pool.on('message', watch);
pool.on('exit', watch);

after(async () => {
  clearInterval(ticker);
  await pool.stop(5000);
});

/** The active workers, once `n` are active and nothing else is running. */
async function settled(n: number): Promise<Member[]> {
  await eventually(
    `${n} active workers and nothing else running`,
    () => {
      const c = pool.counts();
      return c.active === n && c.starting + c.standby + c.draining === 0;
    },
    { intervalMs: 20 },
  );
  return activeMembers;
}
let activeMembers: Member[] = [];
pool.on('message', (member, message) => {
  if (message.type === 'ready') activeMembers = [...activeMembers.filter((m) => m.child.exitCode === null && m.role !== 'draining'), member];
});
pool.on('exit', (member) => (activeMembers = activeMembers.filter((m) => m !== member)));

const ask = (member: Member, message: WorkerMessage) => member.child.send({ type: 'test-send', message });

async function until(check: () => boolean): Promise<void> {
  while (!check()) await sleep(20);
}

test('two workers reaching their request limit at once are replaced one after the other', { timeout: 60_000 }, async () => {
  pool.start();
  const [a, b] = await settled(2);
  mostInFlight = 0;
  ask(a!, { type: 'retire', requests: 100, limit: 100 });
  ask(b!, { type: 'retire', requests: 100, limit: 100 });
  await until(() => replaced.length >= 2);
  await settled(2);
  assert.deepEqual(replaced, ['max_requests', 'max_requests']);
  assert.equal(mostInFlight, 1);
});

test('RSS and age replacements are one at a time too, and counted by their reason', { timeout: 60_000 }, async () => {
  const [a, b] = await settled(2);
  replaced.length = 0;
  mostInFlight = 0;
  ask(a!, { type: 'recycle', reason: 'max_rss', rssMb: 2048, ageS: 60 });
  ask(b!, { type: 'recycle', reason: 'max_age', rssMb: 150, ageS: 3600 });
  await until(() => replaced.length >= 2);
  await settled(2);
  assert.deepEqual([...replaced].sort(), ['max_age', 'max_rss']);
  assert.equal(mostInFlight, 1);
});

test('never two in flight across reasons: a request limit waits for an RSS replacement to finish', { timeout: 60_000 }, async () => {
  const [a, b] = await settled(2);
  replaced.length = 0;
  mostInFlight = 0;
  ask(a!, { type: 'recycle', reason: 'max_rss', rssMb: 2048, ageS: 60 });
  // Also ready to go: the prepare-then-retire sequence of a worker at its request limit.
  ask(b!, { type: 'prepare' });
  ask(b!, { type: 'retire', requests: 100, limit: 100 });
  await until(() => replaced.length >= 2);
  await settled(2);
  assert.deepEqual([...replaced].sort(), ['max_requests', 'max_rss']);
  assert.equal(mostInFlight, 1);
  assert.deepEqual(pool.counts(), { starting: 0, standby: 0, active: 2, draining: 0, queued: 0 });
});
