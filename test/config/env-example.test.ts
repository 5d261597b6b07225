import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'dotenv';
import { CONFIG_VARIABLES, loadConfig } from '../../src/config.js';

const text = readFileSync(new URL('../../.env.example', import.meta.url), 'utf8');
const lines = text.split('\n');
// An assignment, active (`NAME=value`) or commented out (`# NAME=value`, for defaults that depend on the machine).
const assignment = /^(?:#\s*)?([A-Z][A-Z0-9_]*)=/;
const assigned = lines.flatMap((line, index) => {
  const name = assignment.exec(line)?.[1];
  return name ? [{ name, index, active: !line.startsWith('#') }] : [];
});
const strongSecret = 'a'.repeat(20) + 'b'.repeat(20);

// An empty value in the file parses to an explicit undefined; an absent one leaves no key.
function withoutUnset(config: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(config).filter(([, value]) => value !== undefined));
}

test('.env.example lists exactly the variables src/config.ts reads', () => {
  const listed = assigned.map((a) => a.name);
  assert.deepEqual([...listed].sort(), [...CONFIG_VARIABLES].sort());
});

test('.env.example lists each variable once', () => {
  const names = assigned.map((a) => a.name);
  assert.deepEqual(
    names.filter((n, i) => names.indexOf(n) !== i),
    [],
  );
});

test('every variable in .env.example has a comment line above it', () => {
  const bare = assigned.filter((a) => !lines[a.index - 1]?.startsWith('#')).map((a) => a.name);
  assert.deepEqual(bare, []);
});

test('the values in .env.example are the defaults of src/config.ts', () => {
  const fromExample = withoutUnset(loadConfig({ ...parse(text), SECRET_KEY: strongSecret }));
  const fromNothing = withoutUnset(loadConfig({ SECRET_KEY: strongSecret }));
  assert.deepEqual(fromExample, fromNothing);
});

test('only machine-dependent defaults are commented out in .env.example', () => {
  assert.deepEqual(
    assigned.filter((a) => !a.active).map((a) => a.name),
    ['API_WORKERS', 'API_V8_THREADS'],
  );
});
