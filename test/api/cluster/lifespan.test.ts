import assert from 'node:assert/strict';
import { mock, test } from 'node:test';
import { AGE_JITTER, Lifespan, RSS_CHECKS } from '../../../src/api/cluster/lifespan.js';
import type { WorkerMessage } from '../../../src/api/cluster/messages.js';

const MB = 2 ** 20;
const off = { API_MAX_RSS_MB: 0, API_RSS_CHECK_S: 1, API_MAX_AGE_S: 0 };

function watch(config: typeof off, rssMb: () => number, random = () => 0) {
  const sent: WorkerMessage[] = [];
  const lifespan = new Lifespan(
    config,
    (m) => sent.push(m),
    () => rssMb() * MB,
    random,
  );
  return { sent, lifespan };
}

test('a worker asks to be replaced once its RSS has stayed above API_MAX_RSS_MB for RSS_CHECKS checks in a row, not on a spike', () => {
  mock.timers.enable({ apis: ['setInterval', 'setTimeout', 'Date'] });
  try {
    const samples = [300, 100, 300, 300, 100, ...Array<number>(RSS_CHECKS).fill(300), 300, 300];
    let i = 0;
    const { sent, lifespan } = watch({ ...off, API_MAX_RSS_MB: 200 }, () => samples[Math.min(i, samples.length - 1)]!);
    for (let check = 0; check < 5; check += 1, i += 1) mock.timers.tick(1000);
    assert.equal(sent.length, 0, 'spikes shorter than the checks in a row');
    for (let check = 0; check < RSS_CHECKS; check += 1, i += 1) mock.timers.tick(1000);
    assert.equal(sent.length, 1);
    assert.deepEqual({ ...sent[0], ageS: 0 }, { type: 'recycle', reason: 'max_rss', rssMb: 300, ageS: 0 });
    for (let check = 0; check < 5; check += 1) mock.timers.tick(1000);
    assert.equal(sent.length, 1, 'asks once');
    lifespan.stop();
  } finally {
    mock.timers.reset();
  }
});

test('a worker asks to be replaced after API_MAX_AGE_S plus its jitter, and never with both limits off', () => {
  mock.timers.enable({ apis: ['setInterval', 'setTimeout', 'Date'] });
  try {
    const aged = watch(
      { ...off, API_MAX_AGE_S: 100 },
      () => 150,
      () => 1,
    );
    mock.timers.tick(100_000 * (1 + AGE_JITTER) - 1);
    assert.deepEqual(aged.sent, []);
    mock.timers.tick(1);
    assert.deepEqual(aged.sent, [{ type: 'recycle', reason: 'max_age', rssMb: 150, ageS: 110 }]);

    const never = watch(off, () => 100_000);
    mock.timers.tick(10_000_000);
    assert.deepEqual(never.sent, []);
    never.lifespan.stop();
  } finally {
    mock.timers.reset();
  }
});

test('a draining worker stops checking', () => {
  mock.timers.enable({ apis: ['setInterval', 'setTimeout', 'Date'] });
  try {
    const { sent, lifespan } = watch({ ...off, API_MAX_RSS_MB: 1, API_MAX_AGE_S: 5 }, () => 100);
    lifespan.stop();
    mock.timers.tick(60_000);
    assert.deepEqual(sent, []);
  } finally {
    mock.timers.reset();
  }
});
