import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CONFIG_VARIABLES, loadConfig } from '../src/config.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const scripts = Object.keys((JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { scripts: Record<string, string> }).scripts);
// Scripts announced by issues still being built; each leaves this list when package.json gains it.
const ANNOUNCED = ['schedules', 'bench'].filter((name) => !scripts.includes(name));

/** Rows of the Configuration table: | `NAME` | default | meaning |. */
const rows = [...readme.matchAll(/^\| `([A-Z][A-Z0-9_]*)` \| ([^|]+) \|/gm)].map((m) => ({ name: m[1]!, cell: m[2]!.trim() }));

test('the README configuration table lists every variable of src/config.ts, once', () => {
  assert.deepEqual(rows.map((r) => r.name).sort(), [...CONFIG_VARIABLES].sort());
});

test('the defaults in the README configuration table are the real ones', () => {
  const defaults = loadConfig({ SECRET_KEY: 'r'.repeat(40) }) as unknown as Record<string, unknown>;
  const wrong = rows.flatMap(({ name, cell }) => {
    if (name === 'SECRET_KEY') return []; // required in production, so there is no default to show
    const actual = defaults[name];
    if (cell === '(none)') return actual === undefined || (Array.isArray(actual) && actual.length === 0) ? [] : [`${name}: (none) vs ${String(actual)}`];
    const shown = /^`([^`]*)`$/.exec(cell)?.[1];
    if (shown === undefined) return []; // described in words (the number of cores)
    const text = Array.isArray(actual) ? actual.join(',') : String(actual);
    return shown === text ? [] : [`${name}: ${shown} vs ${text}`];
  });
  assert.deepEqual(wrong, []);
});

test('every npm script the README names exists in package.json', () => {
  const named = [...readme.matchAll(/npm run ([a-z][a-z0-9:-]*)/g)].map((m) => m[1]!);
  const unknown = [...new Set(named)].filter((name) => !scripts.includes(name) && !ANNOUNCED.includes(name));
  assert.deepEqual(unknown, []);
});

test('the README gives the two commands of a first run, and both scripts exist', () => {
  assert.ok(readme.includes('npm ci && npm start') && readme.includes('npm test'));
  assert.ok(scripts.includes('start') && scripts.includes('test'));
});
