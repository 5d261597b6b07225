import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SecretBox } from '../../src/lib/secret-box.js';

const KEY = 'a-secret-key-of-at-least-thirty-two-characters';

test('a sealed secret opens with the same key and purpose, and each seal differs (fresh IV)', () => {
  const box = new SecretBox(KEY, 'telegram bot token v1');
  const a = box.seal('123:abc');
  assert.equal(box.open(a), '123:abc');
  assert.notDeepEqual(a, box.seal('123:abc'));
  assert.ok(!a.toString('latin1').includes('abc'));
});

test('another SECRET_KEY, another purpose or a changed byte cannot open it', () => {
  const sealed = new SecretBox(KEY, 'telegram bot token v1').seal('123:abc');
  assert.throws(() => new SecretBox(`${KEY}x`, 'telegram bot token v1').open(sealed));
  assert.throws(() => new SecretBox(KEY, 'something else').open(sealed));
  const tampered = Buffer.from(sealed);
  tampered[tampered.length - 1]! ^= 1;
  assert.throws(() => new SecretBox(KEY, 'telegram bot token v1').open(tampered));
});
