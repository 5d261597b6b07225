/** Sending quiz files to POST /api/v1/admin/imports and waiting for their workflow. */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { TestApi } from './api.js';
import { eventually } from './eventually.js';

export interface ImportFile {
  content: Buffer;
  name: string;
  format: string;
  dryRun?: boolean;
  category?: string;
}

export interface RawAnswer {
  status: number;
  body: any;
}

/** Multipart body of an import: its fields, then the file. */
function multipart(file: ImportFile): { body: Buffer; type: string } {
  const boundary = `----import${Math.random().toString(16).slice(2)}`;
  const field = (name: string, value: string) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
  const fields = [field('format', file.format), ...(file.dryRun ? [field('dryRun', 'true')] : []), ...(file.category ? [field('category', file.category)] : [])].join('');
  const head = `${fields}--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${file.name}"\r\nContent-Type: application/octet-stream\r\n\r\n`;
  return { body: Buffer.concat([Buffer.from(head), file.content, Buffer.from(`\r\n--${boundary}--\r\n`)]), type: `multipart/form-data; boundary=${boundary}` };
}

/** Posts a file; resolves with the answer however the connection ends (a 413 may close it mid-body). */
export function postImport(api: TestApi, token: string, file: ImportFile, options: { omitLength?: boolean } = {}): Promise<RawAnswer> {
  const { body, type } = multipart(file);
  const headers: Record<string, string | number> = { 'Content-Type': type, Authorization: `Bearer ${token}` };
  if (!options.omitLength) headers['Content-Length'] = body.length;
  return new Promise((resolve, reject) => {
    const req = http.request(new URL('/api/v1/admin/imports', api.url), { method: 'POST', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, body: text.startsWith('{') ? JSON.parse(text) : text });
      });
    });
    req.on('error', (err: NodeJS.ErrnoException) => (err.code === 'EPIPE' || err.code === 'ECONNRESET' ? undefined : reject(err)));
    req.end(body);
  });
}

/** Polls GET /admin/imports/:id until the import is done or failed. */
export async function waitForImport(api: TestApi, token: string, id: string): Promise<any> {
  return eventually(
    `import ${id} to end`,
    async () => {
      const res = await api.request('GET', `/api/v1/admin/imports/${id}`, { token });
      assert.equal(res.status, 200);
      return res.body.status === 'done' || res.body.status === 'failed' ? res.body : undefined;
    },
    { timeoutMs: 90_000 },
  );
}

/** Posts a file, expects 202, and returns the finished import. */
export async function importFile(api: TestApi, token: string, file: ImportFile): Promise<any> {
  const res = await postImport(api, token, file);
  assert.equal(res.status, 202, JSON.stringify(res.body));
  assert.deepEqual(res.body, { id: res.body.id, status: 'pending' });
  return waitForImport(api, token, res.body.id);
}

/** A quiz as the admin view shows it, without ids and dates: what an export and import must keep. */
export function comparable(quiz: any, withTimeLimits = true): unknown {
  return {
    title: quiz.title,
    questions: quiz.questions.map((q: any) => ({
      text: q.text,
      explanation: q.explanation,
      ...(withTimeLimits ? { timeLimitS: q.timeLimitS } : {}),
      options: q.options.map((o: any) => ({ text: o.text, correct: o.correct })),
    })),
  };
}
