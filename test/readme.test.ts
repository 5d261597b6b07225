import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CONFIG_VARIABLES, loadConfig } from '../src/config.js';

const read = (relative: string) => readFileSync(new URL(`../${relative}`, import.meta.url), 'utf8');
const readme = read('README.md');
const configurationDoc = read('docs/configuration.md');
/** [path, text] of the README and of every page under docs/. */
const pages: [string, string][] = [
  ['README.md', readme],
  ...readdirSync(new URL('../docs/', import.meta.url))
    .filter((f) => f.endsWith('.md'))
    .map((f): [string, string] => [`docs/${f}`, read(`docs/${f}`)]),
];
const scripts = Object.keys((JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts);

/** Rows of the configuration table: | `NAME` | default | meaning |. */
const rows = [...configurationDoc.matchAll(/^\| `([A-Z][A-Z0-9_]*)` \| ([^|]+) \|/gm)].map((m) => ({ name: m[1]!, cell: m[2]!.trim() }));

test('the configuration table of docs/configuration.md lists every variable of src/config.ts, once', () => {
  assert.deepEqual(rows.map((r) => r.name).sort(), [...CONFIG_VARIABLES].sort());
});

test('the defaults in the configuration table are the real ones', () => {
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

test('every npm script the README and docs/ name exists in package.json', () => {
  const named = pages.flatMap(([, text]) => [...text.matchAll(/npm run ([a-z][a-z0-9:-]*)/g)].map((m) => m[1]!));
  const unknown = [...new Set(named)].filter((name) => !scripts.includes(name));
  assert.deepEqual(unknown, []);
});

test('the README gives the two commands of a first run, and both scripts exist', () => {
  assert.ok(readme.includes('npm ci && npm start') && readme.includes('npm test'));
  assert.ok(scripts.includes('start') && scripts.includes('test'));
});

test('the README shows npm run demo:telegram as the third command, after npm ci && npm start', () => {
  const quickStart = /```sh\n([^`]*)```/.exec(readme)?.[1] ?? '';
  const commands = quickStart
    .split('\n')
    .flatMap((line) => line.replace(/#.*/, '').split('&&'))
    .map((c) => c.trim())
    .filter(Boolean);
  assert.deepEqual(commands.slice(0, 3), ['npm ci', 'npm start', 'npm run demo:telegram']);
  assert.ok(scripts.includes('demo:telegram'));
});

test('every relative link in the README and docs/ points at a file of the repository', () => {
  const broken = pages.flatMap(([from, text]) =>
    [...text.matchAll(/\]\(([^)#:]+)(#[^)]*)?\)/g)]
      .map((m) => m[1]!)
      .filter((target) => !existsSync(new URL(target, new URL(`../${from}`, import.meta.url))))
      .map((target) => `${from} -> ${target}`),
  );
  assert.deepEqual(broken, []);
});
