import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import { parseInput, text } from '../../src/api/validate.js';
import { AppError } from '../../src/lib/errors.js';

const Body = z.strictObject({
  title: z.string().max(10),
  tags: z.array(z.strictObject({ name: z.string() })).optional(),
});

function detailsOf(run: () => unknown): { path: string; message: string }[] {
  try {
    run();
  } catch (err) {
    assert.ok(err instanceof AppError);
    assert.equal(err.status, 400);
    assert.equal(err.code, 'validation_failed');
    return err.details ?? [];
  }
  assert.fail('expected a 400');
}

describe('parseInput', () => {
  test('returns the parsed value of valid input', () => {
    assert.deepEqual(parseInput(Body, { title: 'Quiz', tags: [{ name: 'a' }] }), { title: 'Quiz', tags: [{ name: 'a' }] });
  });

  test('names every bad field, and the body itself for an unknown key', () => {
    const details = detailsOf(() => parseInput(Body, { title: 'x'.repeat(11), extra: 1 }));
    assert.deepEqual(details.map((d) => d.path).sort(), ['(body)', 'title']);
  });

  test('a string holding a NUL character (which PostgreSQL text cannot store) is a 400 naming its path', () => {
    const details = detailsOf(() => parseInput(Body, { title: 'a\u0000b', tags: [{ name: 'ok' }, { name: '\u0000' }] }));
    assert.deepEqual(details, [
      { path: 'title', message: 'must not contain NUL characters' },
      { path: 'tags.1.name', message: 'must not contain NUL characters' },
    ]);
  });
});

describe('text', () => {
  test('keeps the text trimmed; refuses blank text (any whitespace String.prototype.trim removes), unless blank is allowed', () => {
    assert.equal(parseInput(text(10), '  Quiz \n'), 'Quiz');
    for (const blank of ['', ' ', '\n\t', '\u00a0\u2003\ufeff']) {
      assert.deepEqual(
        detailsOf(() => parseInput(text(10), blank)),
        [{ path: '(body)', message: 'must not be blank' }],
        JSON.stringify(blank),
      );
      assert.equal(parseInput(text(10, { blank: true }), blank), '');
    }
  });

  test('counts its length as sent, as the OpenAPI document states it (maxLength)', () => {
    assert.equal(parseInput(text(4), 'abcd'), 'abcd');
    assert.equal(detailsOf(() => parseInput(text(4), ' abcd')).length, 1);
  });
});
