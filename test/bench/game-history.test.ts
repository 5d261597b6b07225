import { test } from 'node:test';
import assert from 'node:assert/strict';
import proto from '@temporalio/proto';
import { closingSteps } from '../../bench/lib/game-history.js';

type Attributes = Record<string, unknown>;
let nextId = 1;
/** A history event at `ms` (since epoch) with one kind of attributes, as the server sends it. */
const event = (ms: number, attributes: Attributes) => proto.temporal.api.history.v1.HistoryEvent.fromObject({ eventId: nextId++, eventTime: { seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1e6 }, ...attributes });
const scheduled = (ms: number, name: string) => event(ms, { activityTaskScheduledEventAttributes: { activityType: { name } } });
const fired = (ms: number) => event(ms, { timerFiredEventAttributes: { timerId: String(ms) } });

test("each stopGamePoll is paired with its question's timer and its own start and completion", () => {
  nextId = 1;
  const send1 = scheduled(1_000, 'sendGamePoll');
  const stop1 = scheduled(11_250, 'stopGamePoll');
  const events = [
    send1,
    fired(11_200),
    stop1,
    event(11_300, { activityTaskStartedEventAttributes: { scheduledEventId: stop1.eventId } }),
    event(11_340, { activityTaskCompletedEventAttributes: { scheduledEventId: stop1.eventId } }),
    scheduled(11_400, 'scoreGameQuestion'),
    // The pause's timer fires before the next sendGamePoll: it is nobody's question timer.
    fired(12_400),
    scheduled(12_450, 'sendGamePoll'),
    scheduled(22_900, 'stopGamePoll'),
  ];
  assert.deepEqual(closingSteps(events), [
    { timerFiredAt: 11_200, stopScheduledAt: 11_250, stopStartedAt: 11_300, stopCompletedAt: 11_340 },
    { timerFiredAt: null, stopScheduledAt: 22_900, stopStartedAt: null, stopCompletedAt: null },
  ]);
});

test('a history without stopGamePoll has no closing steps', () => {
  assert.deepEqual(closingSteps([scheduled(0, 'loadGamePlan'), fired(5)]), []);
});
