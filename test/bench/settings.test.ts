import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseOptions } from '../../bench/lib/options.js';
import type { SmtpSink } from '../../bench/lib/smtp-sink.js';
import { appEnvironment } from '../../bench/lib/stack/services.js';
import { changedSettings, SETTING_REASONS } from '../../bench/lib/stack/settings.js';
import { settingsTable } from '../../bench/lib/report/table.js';

const smtp: SmtpSink = {
  port: 2525,
  url: 'smtp://127.0.0.1:2525',
  pid: undefined,
  arrivals: new Map(),
  received: () => 0,
  waitFor: async () => true,
  close: async () => undefined,
};
const services = { databaseUrl: 'postgresql://bench@127.0.0.1:5432/bench', redisUrl: 'redis://127.0.0.1:6379', temporalAddress: '127.0.0.1:7233', smtp, telegram: { apiRoot: 'http://127.0.0.1:8081' }, externalPids: [] };

test('the benchmark runs the API with the default API_MAX_REQUESTS unless --max-requests is given', async () => {
  const { env } = await appEnvironment(services, parseOptions([]), '/tmp/media');
  assert.equal(env.API_MAX_REQUESTS, undefined);
  assert.ok(!changedSettings(env).some((s) => s.name === 'API_MAX_REQUESTS'));
  const asked = await appEnvironment(services, parseOptions(['--max-requests', '500']), '/tmp/media');
  assert.deepEqual(
    changedSettings(asked.env).find((s) => s.name === 'API_MAX_REQUESTS'),
    { name: 'API_MAX_REQUESTS', value: '500', reason: '--max-requests' },
  );
});

test('every setting the benchmark changes from the defaults has its reason, secrets not shown', async () => {
  const { env } = await appEnvironment(services, parseOptions([]), '/tmp/media');
  const changed = changedSettings({ ...env, CACHE_DISABLED: 'true' });
  assert.deepEqual(
    changed.filter((s) => !(s.name in SETTING_REASONS)),
    [],
  );
  for (const name of ['TRUST_PROXY', 'LOG_LEVEL', 'CACHE_DISABLED', 'TELEGRAM_API_ROOT'])
    assert.ok(
      changed.some((s) => s.name === name),
      name,
    );
  // Set to what the defaults are anyway: not a change.
  assert.ok(!changed.some((s) => s.name === 'DEBUG' || s.name === 'API_WORKERS'));
  const secrets = changed.filter((s) => ['SECRET_KEY', 'BOT_API_TOKEN', 'METRICS_TOKEN'].includes(s.name));
  assert.equal(secrets.length, 3);
  assert.ok(secrets.every((s) => s.value === '(random)'));
  const table = settingsTable(changed);
  assert.ok(!table.includes(env.SECRET_KEY!));
  assert.match(table, /\| `TRUST_PROXY` \| true \| the benchmark plays the reverse proxy/);
  assert.match(table, /\| `TELEGRAM_API_ROOT` \| http:\/\/127\.0\.0\.1:8081 \| the fake Bot API/);
});

test('read-mix-recycled and healthz are scenarios of their own', () => {
  assert.deepEqual(parseOptions(['--scenarios', 'healthz,read-mix,read-mix-recycled']).scenarios, ['healthz', 'read-mix', 'read-mix-recycled']);
  assert.equal(parseOptions([]).maxRequests, undefined);
});
