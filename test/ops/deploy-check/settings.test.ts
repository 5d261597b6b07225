import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inspectConfig, type Env } from '../../../src/config.js';
import { checkAllowedHosts, checkSecretKey, checkTls } from '../../../src/ops/deploy-check/settings.js';

const config = (env: Env) => inspectConfig(env).config;

test('ALLOWED_HOSTS fails when empty, with a wildcard, or with local names only', () => {
  assert.match(checkAllowedHosts(config({ ALLOWED_HOSTS: '' })).reason, /is empty/);
  assert.match(checkAllowedHosts(config({ ALLOWED_HOSTS: '*.example.com' })).reason, /contains "\*\.example\.com"/);
  assert.match(checkAllowedHosts(config({})).reason, /^only local hosts \(localhost, 127\.0\.0\.1, \[::1\]\)/);
  assert.deepEqual(checkAllowedHosts(config({ ALLOWED_HOSTS: 'localhost,quiz.example.com' })), { ok: true, reason: 'localhost, quiz.example.com' });
});

test('TLS is expected from TRUST_PROXY or an https PUBLIC_URL, and an http PUBLIC_URL fails even behind a proxy', () => {
  assert.equal(checkTls(config({ PUBLIC_URL: 'https://quiz.example.com' })).ok, true);
  assert.equal(checkTls(config({ TRUST_PROXY: 'true' })).ok, true);
  assert.equal(checkTls(config({ TRUST_PROXY: 'true', PUBLIC_URL: 'http://quiz.example.com' })).ok, false);
  assert.equal(checkTls(config({})).ok, false);
});

test('SECRET_KEY fails when short, and names the published default it contains', () => {
  assert.match(checkSecretKey(config({ SECRET_KEY: 'short' })).reason, /\(5 characters\)$/);
  assert.match(checkSecretKey(config({ SECRET_KEY: `django-insecure-${'a'.repeat(40)}` })).reason, /contains the published default "django-insecure"/);
  assert.equal(checkSecretKey(config({ SECRET_KEY: 'k'.repeat(32) })).ok, true);
});
