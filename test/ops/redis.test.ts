import { test } from 'node:test';
import assert from 'node:assert/strict';
import { maskUrlPassword, parseKeyspaceEntry, parseRedisInfo, redisDatabaseIndex } from '../../src/ops/redis.js';

test('INFO text is parsed into sections of fields', () => {
  const info = parseRedisInfo('# Server\r\nredis_version:7.0.15\r\nuptime_in_seconds:42\r\n\r\n# Keyspace\r\ndb0:keys=3,expires=2,avg_ttl=10\r\n');
  assert.equal(info.server?.redis_version, '7.0.15');
  assert.equal(info.server?.uptime_in_seconds, '42');
  assert.deepEqual(parseKeyspaceEntry(info.keyspace?.db0), { keys: 3, expires: 2, avg_ttl: 10 });
  assert.deepEqual(parseKeyspaceEntry(undefined), {});
});

test('a Redis URL is shown with its password masked and its user kept', () => {
  assert.equal(maskUrlPassword('redis://app:s3cret@cache.internal:6380/2'), 'redis://app:****@cache.internal:6380/2');
  assert.equal(maskUrlPassword('rediss://:s3cret@cache.internal:6380'), 'rediss://:****@cache.internal:6380');
  assert.equal(maskUrlPassword('redis://cache.internal:6379'), 'redis://cache.internal:6379');
});

test('the database index comes from the URL path, 0 by default', () => {
  assert.equal(redisDatabaseIndex('redis://h:6379/5'), 5);
  assert.equal(redisDatabaseIndex('redis://h:6379'), 0);
  assert.equal(redisDatabaseIndex('redis://h:6379/x'), 0);
});
