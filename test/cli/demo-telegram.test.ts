/**
 * `npm run demo:telegram`'s game (src/dev/demo-telegram.ts) against the test services: the API, the outbox
 * dispatcher and a worker on real Postgres, Redis and Temporal, and the fake Bot API. The CLI around it only starts
 * the embedded stack in place of these (as `npm start` does, covered by test/start.test.ts).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { FakeBotApi } from '../../src/dev/telegram-fake/server.js';
import { formatDemo, playDemo } from '../../src/dev/demo-telegram.js';
import { ADMIN_TELEGRAM_IDS, BOT_TOKEN, startTestApi, type TestApi } from '../helpers/api.js';
import { startTestWorker, workerEnv, type TestWorker } from '../helpers/worker.js';

const PUBLIC_URL = 'https://quiz-demo.test';

let telegram: FakeBotApi;
let api: TestApi;
let worker: TestWorker;

before(async () => {
  telegram = await FakeBotApi.start();
  const env = await workerEnv({ TELEGRAM_API_ROOT: telegram.apiRoot, PUBLIC_URL });
  api = await startTestApi(env);
  worker = await startTestWorker(env, { background: true });
});
after(async () => {
  await worker?.stop();
  await api?.close();
  await telegram?.close();
});

test('the demo plays a 5-question game with 30 players: 5 polls, one results message, a chat leaderboard with players', { timeout: 240_000 }, async () => {
  const result = await playDemo({ apiUrl: api.url, telegram, publicUrl: PUBLIC_URL, botApiToken: BOT_TOKEN, adminTelegramId: ADMIN_TELEGRAM_IDS[0] }, { players: 30, questionSeconds: 5 });
  const polls = result.transcript.filter((e) => e.kind === 'poll');
  assert.equal(polls.length, 5);
  for (const poll of polls) {
    assert.equal(poll.options.length, 4);
    assert.equal(poll.correct.length, 1);
    assert.equal(poll.openPeriodS, 5);
    assert.equal(poll.answers, 30, 'every player answered within the open period');
  }
  assert.deepEqual(
    polls.map((p) => p.number),
    [1, 2, 3, 4, 5],
  );
  const messages = result.transcript.filter((e) => e.kind === 'message').map((e) => e.text);
  const finals = messages.filter((text) => /final results/.test(text));
  assert.equal(finals.length, 1, messages.join('\n---\n'));
  assert.match(messages[0]!, /^Game on: /, 'the /quiz command was answered first');
  assert.equal(result.transcript.at(-1)?.kind, 'message', 'the results come after the last poll');
  assert.ok(result.leaderboard.length > 10, 'the chat leaderboard lists every player with points, past the default 10');
  assert.ok(result.leaderboard.length <= 30);
  assert.ok(result.leaderboard.every((row) => row.points > 0 && /^player_\d\d$/.test(row.username ?? '')));
  assert.match(finals[0]!, new RegExp(`1\\. @${result.leaderboard[0]!.username}: ${result.leaderboard[0]!.points} points`));
  const printed = formatDemo(result);
  assert.match(printed, /\[quiz poll 5, 5 s\] What is the capital of Kenya\?/);
  assert.match(printed, /Chat leaderboard/);
});
