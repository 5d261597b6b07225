/**
 * Uploads through the HTTP API, as a client sends them:
 *
 *   const res = await postUpload(api.url, token, 'bomb.gif', bytes);   // { status, headers, body }
 *   const done = await waitForUpload(api.request, res.body.id, token); // the upload once ready or failed
 */
import assert from 'node:assert/strict';
import type { RequestFn } from './api.js';
import { eventually } from './eventually.js';

export interface UploadAnswer {
  status: number;
  headers: Headers;
  body: { id?: string; status?: string; error?: { code: string; message: string } };
}

/** POST /api/v1/uploads with `bytes` in the multipart field "file". */
export async function postUpload(baseUrl: string, token: string, filename: string, bytes: Buffer): Promise<UploadAnswer> {
  const form = new FormData();
  form.append('file', new Blob([bytes], { type: 'application/octet-stream' }), filename);
  const res = await fetch(`${baseUrl}/api/v1/uploads`, { method: 'POST', body: form, headers: { Authorization: `Bearer ${token}` } });
  return { status: res.status, headers: res.headers, body: (await res.json()) as UploadAnswer['body'] };
}

export interface UploadView {
  id: string;
  status: 'pending' | 'processing' | 'ready' | 'failed';
  error: string | null;
  width: number | null;
  height: number | null;
}

/** Polls GET /api/v1/uploads/:id until the upload is ready or failed (60 s at most). */
export async function waitForUpload(request: RequestFn, id: string, token: string): Promise<UploadView> {
  return eventually(`upload ${id} to be ready or failed`, async () => {
    const res = await request<UploadView>('GET', `/api/v1/uploads/${id}`, { token });
    assert.equal(res.status, 200);
    return res.body.status === 'ready' || res.body.status === 'failed' ? res.body : undefined;
  });
}
