import assert from 'node:assert/strict';
import { test } from 'node:test';
import { initDataKeys, signInitData, verifyInitData } from '../../src/domain/telegram-init-data.js';

// Init data Telegram signed with Ed25519 for bot 7342037359: the test vector @tma.js/init-data-node publishes
// for its own validate3rd tests (packages/init-data-node, by its author). Its auth_date is 1733584787.
const SIGNED_BY_TELEGRAM =
  'user=%7B%22id%22%3A279058397%2C%22first_name%22%3A%22Vladislav%20%2B%20-%20%3F%20%5C%2F%22%2C%22last_name%22%3A%22Kibenko%22%2C%22username%22%3A%22vdkfrost%22%2C%22language_code%22%3A%22ru%22%2C%22is_premium%22%3Atrue%2C%22allows_write_to_pm%22%3Atrue%2C%22photo_url%22%3A%22https%3A%5C%2F%5C%2Ft.me%5C%2Fi%5C%2Fuserpic%5C%2F320%5C%2F4FPEE4tmP3ATHa57u6MqTDih13LTOiMoKoLDRG4PnSA.svg%22%7D&chat_instance=8134722200314281151&chat_type=private&auth_date=1733584787&signature=zL-ucjNyREiHDE8aihFwpfR9aggP2xiAo3NSpfe-p7IbCisNlDKlo7Kb6G4D0Ao2mBrSgEk4maLSdv6MLIlADQ&hash=2174df5b000556d044f3f020384e879c8efcab55ddea2ced4eb752e93e7080d6';
const SIGNED_AT = 1733584787;
const TOKEN = '424242:AAH-own-bot-token';

function signed(authDate: number, token = TOKEN): string {
  const params = new URLSearchParams({ user: JSON.stringify({ id: 77, username: 'ann' }), auth_date: String(authDate) });
  params.set('hash', signInitData(params, token));
  return params.toString();
}

test("Telegram's Ed25519 signature verifies for its bot id without the token, and only for that bot", async () => {
  const ok = await verifyInitData(SIGNED_BY_TELEGRAM, initDataKeys(['7342037359:token-we-do-not-have']), 86400, SIGNED_AT + 10);
  assert.deepEqual(ok.ok && ok.user, { id: 279058397, username: 'vdkfrost', first_name: 'Vladislav + - ? /', last_name: 'Kibenko' });
  const otherBot = await verifyInitData(SIGNED_BY_TELEGRAM, initDataKeys(['7342037360:x']), 86400, SIGNED_AT + 10);
  assert.equal(otherBot.ok, false);
  const tampered = SIGNED_BY_TELEGRAM.replace('auth_date=1733584787', 'auth_date=1733584788');
  assert.equal((await verifyInitData(tampered, initDataKeys(['7342037359:x']), 86400, SIGNED_AT + 10)).ok, false);
  assert.equal((await verifyInitData(SIGNED_BY_TELEGRAM, initDataKeys(['7342037359:x']), 86400, SIGNED_AT + 86401)).ok, false);
});

test('the HMAC hash verifies under any of the given tokens, and under no other', async () => {
  const now = 1_800_000_000;
  const keys = initDataKeys(['1:first', TOKEN]);
  assert.equal((await verifyInitData(signed(now), keys, 86400, now)).ok, true);
  assert.equal((await verifyInitData(signed(now, '424242:other'), keys, 86400, now)).ok, false);
  assert.equal((await verifyInitData(signed(now), initDataKeys([]), 86400, now)).ok, false);
});

test('auth_date: no older than the maximum age, no more than 60 s ahead', async () => {
  const now = 1_800_000_000;
  const keys = initDataKeys([TOKEN]);
  assert.equal((await verifyInitData(signed(now - 3600), keys, 3600, now)).ok, true);
  assert.deepEqual(await verifyInitData(signed(now - 3601), keys, 3600, now), { ok: false, reason: 'stale auth_date' });
  assert.equal((await verifyInitData(signed(now + 60), keys, 3600, now)).ok, true);
  assert.deepEqual(await verifyInitData(signed(now + 61), keys, 3600, now), { ok: false, reason: 'auth_date in the future' });
});
