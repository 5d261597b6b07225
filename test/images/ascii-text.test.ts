import assert from 'node:assert/strict';
import { test } from 'node:test';
import { toDrawableText } from '../../src/images/ascii-text.js';

test('Cyrillic is transliterated, accents dropped, typographic quotes straightened and the rest removed', () => {
  assert.equal(toDrawableText('Столицы Европы'), 'Stolitsy Evropy');
  assert.equal(toDrawableText('Щука и ёж — «друзья»'), 'Shchuka i ezh - "druzya"');
  assert.equal(toDrawableText('Café déjà vu'), 'Cafe deja vu');
  assert.equal(toDrawableText('Quiz 🎉\nnight'), 'Quiz night');
});
