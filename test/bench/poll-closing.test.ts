import { test } from 'node:test';
import assert from 'node:assert/strict';
import { maxLateness, pollClosings } from '../../bench/lib/poll-closing.js';
import type { RecordedCall } from '../../src/dev/telegram-fake/server.js';

const TOKEN = '1:bot';
const CHAT = -100;
const stop = (messageId: number, at: number, outcome: true | number = true, extra: Partial<RecordedCall> = {}): RecordedCall => ({
  token: TOKEN,
  method: 'stopPoll',
  params: { chat_id: String(CHAT), message_id: messageId },
  outcome,
  at,
  ...extra,
});

test("a poll's lateness is its first successful stopPoll minus sent + open_period", () => {
  const polls = [
    { messageId: 1, sentAt: 10_000, openPeriodS: 10 },
    { messageId: 2, sentAt: 21_000, openPeriodS: 10 },
  ];
  const calls = [stop(1, 20_350), stop(2, 30_900), stop(2, 31_500, 400)];
  const closings = pollClosings(polls, calls, TOKEN, CHAT);
  assert.deepEqual(
    closings.map((c) => [c.number, c.endsAt, c.stoppedAt, c.latenessMs, c.stopCalls]),
    [
      [1, 20_000, 20_350, 350, 1],
      [2, 31_000, 30_900, -100, 2],
    ],
  );
  assert.equal(maxLateness(closings), 350);
});

test("another bot's, another chat's or a refused stopPoll does not count as the poll's stop", () => {
  const polls = [{ messageId: 7, sentAt: 0, openPeriodS: 5 }];
  const calls = [stop(7, 5_100, true, { token: '2:other' }), stop(7, 5_200, true, { params: { chat_id: '-200', message_id: 7 } }), stop(7, 5_300, 429), stop(7, 6_400)];
  const [closing] = pollClosings(polls, calls, TOKEN, CHAT);
  assert.equal(closing!.stoppedAt, 6_400);
  assert.equal(closing!.latenessMs, 1_400);
  assert.equal(closing!.stopCalls, 2);
});

test('a poll never stopped, or sent without an open period, has no lateness and leaves no maximum', () => {
  const closings = pollClosings(
    [
      { messageId: 1, sentAt: 0, openPeriodS: 10 },
      { messageId: 2, sentAt: 0, openPeriodS: undefined },
    ],
    [stop(2, 9_000)],
    TOKEN,
    CHAT,
  );
  assert.deepEqual(
    closings.map((c) => c.latenessMs),
    [null, null],
  );
  assert.equal(maxLateness(closings), null);
  assert.equal(maxLateness([]), null);
});
