import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestApi, type TestApi } from '../../helpers/api.js';

describe('POST /api/v1/contact: control characters', () => {
  let api: TestApi;
  before(async () => {
    api = await startTestApi({ CONTACT_RATE_LIMIT: '100' });
  });
  after(() => api.close());

  const post = (name: string, message: string) => api.request('POST', '/api/v1/contact', { body: { name, email: 'c@example.com', message } });

  test('control characters in the name, or other than line breaks and tabs in the message, are a 400 naming the field; nothing is stored', async () => {
    const before = await api.deps.db.prisma.contactMessage.count();
    for (const [name, message, field] of [
      ['Eve\u0007', 'hi', 'name'],
      ['Eve\u0000', 'hi', 'name'],
      ['Eve\r\nBcc: x@example.com', 'hi', 'name'],
      ['Eve', 'red \u001b[31mtext', 'message'],
      ['Eve', 'nul \u0000', 'message'],
    ] as const) {
      const res = await post(name, message);
      assert.equal(res.status, 400, JSON.stringify([name, message]));
      assert.equal(res.body.error.code, 'validation_failed');
      assert.deepEqual(
        res.body.error.details.map((d: { path: string }) => d.path),
        [field],
      );
    }
    assert.equal(await api.deps.db.prisma.contactMessage.count(), before);
  });

  test('line breaks and tabs in the message are kept', async () => {
    const res = await post('Ann', 'line one\r\nline two\n\tindented');
    assert.equal(res.status, 202);
    const row = await api.deps.db.prisma.contactMessage.findUniqueOrThrow({ where: { id: Number(res.body.id) } });
    assert.equal(row.message, 'line one\r\nline two\n\tindented');
  });
});
