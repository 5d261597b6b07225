import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseCommand, type ParsedCommand } from '../../src/domain/telegram-commands.js';

const USAGE_QUIZ = { name: 'usage', of: 'quiz' } as const;
const USAGE_TOP = { name: 'usage', of: 'top' } as const;

// [text, chat type, expected (command fields that must match, botName), why]
const TABLE: [string | undefined, string, Partial<ParsedCommand['command']> | undefined, string | undefined, string][] = [
  ['/start', 'private', { name: 'start' }, undefined, '/start in a private chat'],
  ['/start', 'supergroup', undefined, undefined, '/start is for private chats only'],
  ['/quizzes', 'group', { name: 'quizzes' }, undefined, '/quizzes in a group'],
  ['/quizzes', 'private', { name: 'quizzes' }, undefined, '/quizzes in a private chat'],
  ['/quizzes', 'channel', undefined, undefined, 'no commands in channels'],
  ['/quiz capitals', 'supergroup', { name: 'quiz', slug: 'capitals', seconds: 20 }, undefined, 'default 20 seconds'],
  ['/quiz capitals 45', 'group', { name: 'quiz', slug: 'capitals', seconds: 45 }, undefined, 'seconds given'],
  ['/quiz@my_quiz_bot capitals 5', 'group', { name: 'quiz', slug: 'capitals', seconds: 5 }, 'my_quiz_bot', 'bot name kept for the ingress to check'],
  ['/QUIZ Capitals 600', 'group', { name: 'quiz', slug: 'capitals', seconds: 600 }, undefined, 'case-insensitive name and slug'],
  ['  /quiz   capitals\t30  ', 'group', { name: 'quiz', slug: 'capitals', seconds: 30 }, undefined, 'surrounding and repeated whitespace'],
  ['/quiz', 'group', USAGE_QUIZ, undefined, 'no slug: usage'],
  ['/quiz capitals 4', 'group', USAGE_QUIZ, undefined, 'seconds below 5: usage'],
  ['/quiz capitals 601', 'group', USAGE_QUIZ, undefined, 'seconds above 600: usage'],
  ['/quiz capitals ten', 'group', USAGE_QUIZ, undefined, 'seconds not a number: usage'],
  ['/quiz capitals 20 extra', 'group', USAGE_QUIZ, undefined, 'extra arguments: usage'],
  ['/quiz capitals', 'private', undefined, undefined, '/quiz only in groups'],
  ['/stop', 'supergroup', { name: 'stop' }, undefined, '/stop in a group'],
  ['/stop@other_bot', 'supergroup', { name: 'stop' }, 'other_bot', 'another bot name is returned (and refused by the ingress)'],
  ['/top', 'group', { name: 'top', period: 'all' }, undefined, '/top defaults to all'],
  ['/top week', 'group', { name: 'top', period: 'week' }, undefined, '/top week'],
  ['/top DAY', 'group', { name: 'top', period: 'day' }, undefined, '/top day, any case'],
  ['/top month', 'group', USAGE_TOP, undefined, 'unknown period: usage'],
  ['/help', 'group', undefined, undefined, 'unknown command ignored'],
  ['/quizzy', 'group', undefined, undefined, 'a longer name is another command'],
  ['hello /quiz capitals', 'group', undefined, undefined, 'a command not at the start is plain text'],
  ['quiz capitals', 'group', undefined, undefined, 'plain message'],
  ['/', 'group', undefined, undefined, 'a lone slash'],
  ['/quiz@ capitals', 'group', undefined, undefined, 'an empty bot name is no command'],
  [undefined, 'group', undefined, undefined, 'a message without text (a photo)'],
];

describe('parseCommand', () => {
  for (const [text, chatType, expected, botName, why] of TABLE) {
    test(`${JSON.stringify(text)} in a ${chatType}: ${why}`, () => {
      const parsed = parseCommand(text, chatType);
      if (expected === undefined) {
        assert.equal(parsed, undefined);
        return;
      }
      assert.ok(parsed);
      for (const [key, value] of Object.entries(expected)) assert.equal((parsed.command as Record<string, unknown>)[key], value, key);
      assert.equal(parsed.botName, botName);
    });
  }
});
