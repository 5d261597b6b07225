import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { bucketOf } from '../../src/domain/periods.js';

describe('leaderboard periods', () => {
  test('day, week (from Monday) and month in UTC', () => {
    const at = new Date('2026-12-06T23:30:00Z'); // a Sunday
    assert.deepEqual(bucketOf('day', at, 'UTC'), { period: 'day', bucket: '2026-12-06', from: new Date('2026-12-06T00:00:00Z'), until: new Date('2026-12-07T00:00:00Z') });
    assert.deepEqual(bucketOf('week', at, 'UTC'), { period: 'week', bucket: '2026-11-30', from: new Date('2026-11-30T00:00:00Z'), until: new Date('2026-12-07T00:00:00Z') });
    assert.equal(bucketOf('week', new Date('2026-12-07T00:00:00Z'), 'UTC').bucket, '2026-12-07', 'Monday starts a new week');
    assert.deepEqual(bucketOf('month', at, 'UTC'), { period: 'month', bucket: '2026-12-01', from: new Date('2026-12-01T00:00:00Z'), until: new Date('2027-01-01T00:00:00Z') });
    assert.deepEqual(bucketOf('all', at, 'UTC'), { period: 'all', bucket: 'all', from: null, until: null });
  });

  test('in SCHEDULE_TIMEZONE: the local date decides, and from is local midnight', () => {
    const at = new Date('2026-12-06T23:30:00Z'); // Monday 02:30 in Moscow (UTC+3)
    assert.deepEqual(bucketOf('day', at, 'Europe/Moscow').from, new Date('2026-12-06T21:00:00Z'));
    assert.equal(bucketOf('week', at, 'Europe/Moscow').bucket, '2026-12-07');
    assert.equal(bucketOf('day', new Date('2026-12-01T03:00:00Z'), 'America/New_York').bucket, '2026-11-30');
    assert.deepEqual(bucketOf('month', new Date('2026-11-15T12:00:00Z'), 'America/New_York').until, new Date('2026-12-01T05:00:00Z'));
    // A day with a daylight-saving change: Berlin on 2026-03-29 starts at 23:00 UTC the day before (UTC+1).
    assert.deepEqual(bucketOf('day', new Date('2026-03-29T12:00:00Z'), 'Europe/Berlin').until, new Date('2026-03-29T22:00:00Z'));
  });
});
