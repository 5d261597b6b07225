import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, KNOWN_DEFAULT_SECRETS, loadConfig, type Env } from '../src/config.js';

const strongSecret = 'k'.repeat(16) + 'Q'.repeat(16) + '7'.repeat(8);

/** The problems loadConfig reports for env; fails the test when it does not throw a ConfigError. */
function problemsOf(env: Env): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${String(err)}`);
    return err.problems;
  }
  assert.fail('loadConfig accepted the environment');
}

test('a missing SECRET_KEY with DEBUG off is an error naming SECRET_KEY', () => {
  const problems = problemsOf({});
  assert.equal(problems.length, 1);
  assert.match(problems[0]!, /^SECRET_KEY: .*required/);
});

test('the startup error message names the variable', () => {
  assert.throws(
    () => loadConfig({ DEBUG: 'false' }),
    (err: Error) => err.message.includes('SECRET_KEY'),
  );
});

test('every known default secret is refused with DEBUG off, even padded to length', () => {
  for (const known of KNOWN_DEFAULT_SECRETS) {
    const problems = problemsOf({ SECRET_KEY: `${known}-${'x'.repeat(40)}` });
    assert.match(problems.join('\n'), /^SECRET_KEY: .*known default/, known);
  }
});

test('a SECRET_KEY shorter than 32 characters is refused with DEBUG off', () => {
  assert.match(problemsOf({ SECRET_KEY: 'x'.repeat(31) }).join('\n'), /^SECRET_KEY: /);
});

test('with DEBUG on, SECRET_KEY may be unset and a development secret fills it', () => {
  const config = loadConfig({ DEBUG: 'true' });
  assert.equal(config.DEBUG, true);
  assert.equal(config.SECRET_KEY, KNOWN_DEFAULT_SECRETS[0]);
});

test('a strong SECRET_KEY is kept as given', () => {
  assert.equal(loadConfig({ SECRET_KEY: strongSecret }).SECRET_KEY, strongSecret);
});

test('each bad value is named, all of them in one error', () => {
  const problems = problemsOf({ SECRET_KEY: strongSecret, PORT: 'abc', REDIS_URL: 'http://x' });
  assert.deepEqual(problems.map((p) => p.split(':')[0]).sort(), ['PORT', 'REDIS_URL']);
});

test('URLs must use the scheme their service speaks', () => {
  assert.deepEqual(
    problemsOf({ SECRET_KEY: strongSecret, DATABASE_URL: 'mysql://db/quiz' }).map((p) => p.split(':')[0]),
    ['DATABASE_URL'],
  );
  assert.deepEqual(
    problemsOf({ SECRET_KEY: strongSecret, SMTP_URL: 'http://mail' }).map((p) => p.split(':')[0]),
    ['SMTP_URL'],
  );
  const config = loadConfig({ SECRET_KEY: strongSecret, REDIS_URL: 'rediss://cache:6380', DATABASE_URL: 'postgres://db/quiz' });
  assert.equal(config.REDIS_URL, 'rediss://cache:6380');
  assert.equal(config.DATABASE_URL, 'postgres://db/quiz');
});

test('out-of-range numbers and unknown booleans are named', () => {
  const problems = problemsOf({ SECRET_KEY: strongSecret, PORT: '70000', DATABASE_POOL_MAX: '0', DEBUG: 'maybe' });
  assert.deepEqual(problems.map((p) => p.split(':')[0]).sort(), ['DATABASE_POOL_MAX', 'DEBUG', 'PORT']);
});

test('defaults: KEY_PREFIX quiz, CACHE_TTL 300, PORT 8000, pool idle 600 s, DEBUG off', () => {
  const config = loadConfig({ SECRET_KEY: strongSecret });
  assert.equal(config.KEY_PREFIX, 'quiz');
  assert.equal(config.CACHE_TTL, 300);
  assert.equal(config.PORT, 8000);
  assert.equal(config.DATABASE_POOL_IDLE_S, 600);
  assert.equal(config.DEBUG, false);
  assert.equal(config.DATABASE_URL, undefined);
  assert.equal(config.CONTACT_EMAIL, 'admin@localhost');
});

test('an empty value counts as unset', () => {
  const config = loadConfig({ SECRET_KEY: strongSecret, DATABASE_URL: '', REDIS_URL: '  ', TEMPORAL_ADDRESS: '' });
  assert.equal(config.DATABASE_URL, undefined);
  assert.equal(config.REDIS_URL, undefined);
  assert.equal(config.TEMPORAL_ADDRESS, undefined);
});

test('booleans accept yes/no, 1/0 and on/off; lists are trimmed comma-separated values', () => {
  const config = loadConfig({ DEBUG: 'yes', TRUST_PROXY: '1', PERF_HEADERS: 'off', ALLOWED_HOSTS: ' quiz.example.com , .example.org ,' });
  assert.equal(config.DEBUG, true);
  assert.equal(config.TRUST_PROXY, true);
  assert.equal(config.PERF_HEADERS, false);
  assert.deepEqual(config.ALLOWED_HOSTS, ['quiz.example.com', '.example.org']);
});

test('the result is frozen, its lists too', () => {
  const config = loadConfig({ SECRET_KEY: strongSecret, ADMIN_TELEGRAM_IDS: '1,2' });
  assert.ok(Object.isFrozen(config));
  assert.ok(Object.isFrozen(config.ALLOWED_HOSTS));
  assert.ok(Object.isFrozen(config.ADMIN_TELEGRAM_IDS));
  assert.throws(() => Object.assign(config, { PORT: 1 }), TypeError);
  assert.throws(() => (config.ALLOWED_HOSTS as string[]).push('evil.example'), TypeError);
});

test('loadConfig does not keep variables it does not know', () => {
  const config = loadConfig({ SECRET_KEY: strongSecret, PATH: '/usr/bin' });
  assert.equal(Object.hasOwn(config, 'PATH'), false);
});
