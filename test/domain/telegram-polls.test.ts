import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Api } from 'grammy';
import { FakeBotApi } from '../../src/dev/telegram-fake/server.js';
import { pollFor, quizPollOptions, telegramFit, type QuestionForPoll } from '../../src/domain/telegram-polls.js';

const TOKEN = '8880001:polls';
let telegram: FakeBotApi;
let api: Api;
before(async () => {
  telegram = await FakeBotApi.start();
  telegram.addBot(TOKEN);
  api = new Api(TOKEN, { apiRoot: telegram.apiRoot });
});
after(() => telegram.close());

const question = (overrides: Partial<QuestionForPoll> = {}): QuestionForPoll => ({
  id: 1,
  text: 'Capital of France?',
  explanation: 'Paris.',
  options: [
    { text: 'Paris', correct: true },
    { text: 'Rome', correct: false },
  ],
  ...overrides,
});

/** Sends the poll as a game would; the fake refuses what Telegram would refuse. */
async function send(poll: ReturnType<typeof pollFor>) {
  if (poll.preface) await api.sendMessage(-1, poll.preface);
  return api.sendPoll(
    -1,
    poll.question,
    poll.options.map((text) => ({ text })),
    quizPollOptions(poll, 20),
  );
}

test('a question that fits is sent as it is, with every correct option', async () => {
  const q = question({
    options: [
      { text: 'a', correct: true },
      { text: 'b', correct: false },
      { text: 'c', correct: true },
    ],
  });
  const poll = pollFor(q, 0, 5);
  assert.deepEqual(poll, { question: 'Capital of France?', options: ['a', 'b', 'c'], correctOptionIds: [0, 2], explanation: 'Paris.' });
  assert.deepEqual((await send(poll)).poll.correct_option_ids, [0, 2]);
  assert.deepEqual(telegramFit([q]), { fits: true, problems: [] });
});

test('a long question or option: the full text as a message, then "Question N of M" with lettered options', async () => {
  const long = question({
    id: 7,
    text: 'Q'.repeat(301),
    options: [
      { text: 'x'.repeat(101), correct: false },
      { text: 'short', correct: true },
    ],
  });
  const poll = pollFor(long, 2, 10);
  assert.equal(poll.question, 'Question 3 of 10');
  assert.deepEqual(poll.options, ['A', 'B']);
  assert.deepEqual(poll.correctOptionIds, [1]);
  assert.ok(poll.preface?.includes('Q'.repeat(301)));
  assert.ok(poll.preface?.includes(`A. ${'x'.repeat(101)}`));
  assert.ok(poll.preface?.includes('B. short'));
  await send(poll);
  const fit = telegramFit([long]);
  assert.equal(fit.fits, false);
  assert.deepEqual(
    fit.problems.map((p) => p.questionId),
    ['7', '7'],
  );
});

test('a long explanation is cut with an ellipsis, and line feeds past the second become spaces', async () => {
  const poll = pollFor(question({ explanation: `${'e'.repeat(250)}` }), 0, 1);
  assert.equal(poll.explanation?.length, 200);
  assert.ok(poll.explanation?.endsWith('…'));
  const feeds = pollFor(question({ explanation: 'a\nb\nc\nd' }), 0, 1);
  assert.equal(feeds.explanation, 'a\nb\nc d');
  await send(poll);
  await send(feeds);
  assert.equal(telegramFit([question({ explanation: 'a\nb\nc\nd' })]).fits, false);
});

test('a question message longer than Telegram allows is cut to 4096 characters', async () => {
  const options = Array.from({ length: 10 }, (_, i) => ({ text: 'o'.repeat(500), correct: i === 0 }));
  const poll = pollFor(question({ text: 'q'.repeat(1000), options }), 0, 1);
  assert.equal(poll.preface?.length, 4096);
  await send(poll);
});
