import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatRelative, formatTable } from '../../src/ops/table.js';

test('columns are padded to the widest cell and trailing spaces dropped', () => {
  assert.deepEqual(
    formatTable(
      ['id', 'state'],
      [
        ['refresh-stats', 'active'],
        ['x', ''],
      ],
    ),
    ['  id             state', '  refresh-stats  active', '  x'],
  );
});

test('relative times read as ago or in, never "in 0 s"', () => {
  const now = new Date('2026-01-01T12:00:00Z');
  assert.equal(formatRelative(new Date('2026-01-01T11:59:59.700Z'), now), '0 s ago');
  assert.equal(formatRelative(new Date('2026-01-01T12:29:00Z'), now), 'in 29 min');
  assert.equal(formatRelative(new Date('2026-01-01T09:00:00Z'), now), '3 h ago');
  assert.equal(formatRelative(null, now), '-');
});
