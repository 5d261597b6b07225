import fs from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import formidable, { errors as formidableErrors } from 'formidable';
import { badRequest, payloadTooLarge } from '../lib/errors.js';

export interface ReceivedFile {
  /** Temporary file holding the bytes; the caller removes it. */
  path: string;
  originalName: string;
  size: number;
  /** The body's other (text) fields, first value of each. */
  fields: Record<string, string>;
}

/** Multipart framing around the file: headers, boundaries and a few small fields. */
export const MULTIPART_OVERHEAD_BYTES = 64 * 1024;

/**
 * Streams the one file of a multipart body to `spoolDir`, enforcing `maxBytes` while reading (memory stays
 * flat whatever is sent). Too large: 413, with nothing left on disk. No file in `field`: 400.
 */
export async function receiveSingleFile(
  req: IncomingMessage,
  options: { spoolDir: string; maxBytes: number; field: string /** The text fields the route reads; any other part is a 400. */; textFields?: readonly string[] },
): Promise<ReceivedFile> {
  await fs.mkdir(options.spoolDir, { recursive: true });
  const form = formidable({
    uploadDir: options.spoolDir,
    maxFileSize: options.maxBytes,
    maxTotalFileSize: options.maxBytes,
    maxFiles: 1,
    maxFields: 10,
    maxFieldsSize: 64 * 1024,
    allowEmptyFiles: false,
    minFileSize: 1,
    filter: ({ name }) => name === options.field,
  });
  // RFC 7578 makes a part's Content-Type optional (text/plain when absent); formidable takes a part without
  // one for a text field even when it names a file, so such an upload answered "a file is required".
  const unknown = new Set<string>();
  form.onPart = (part) => {
    if (part.name !== options.field && !options.textFields?.includes(part.name ?? '')) unknown.add(part.name ?? '');
    if (typeof part.originalFilename === 'string' && !part.mimetype) part.mimetype = 'application/octet-stream';
    form._handlePart(part);
  };
  const started: string[] = [];
  form.on('fileBegin', (_name, file) => started.push(file.filepath));
  try {
    const [fields, files] = await form.parse(req);
    // Like a JSON body with unknown keys, a form with parts this route does not know is refused.
    if (unknown.size > 0)
      throw badRequest(
        'The form has unknown fields.',
        [...unknown].map((name) => ({ path: name, message: 'unknown field' })),
      );
    const file = files[options.field]?.[0];
    if (!file) throw badRequest(`A file is required in the multipart field "${options.field}".`, [{ path: options.field, message: 'required' }]);
    const firstValues = Object.entries(fields).flatMap(([name, values]) => (values?.[0] === undefined ? [] : [[name, values[0]] as const]));
    return { path: file.filepath, originalName: cleanFileName(file.originalFilename), size: file.size, fields: Object.fromEntries(firstValues) };
  } catch (err) {
    // formidable removes what it opened, but an error between its events could leave a partial file behind.
    await Promise.all(started.map((file) => fs.rm(file, { force: true })));
    throw toHttpError(err, options.maxBytes);
  }
}

/** uploads.original_name is VARCHAR(255): PostgreSQL counts characters (code points), not UTF-16 units. */
const FILE_NAME_MAX_CHARS = 255;

/**
 * The client's file name as we keep it: control characters removed (PostgreSQL text cannot hold U+0000, which
 * failed the insert as a 500; the others only garble logs), trimmed, at most 255 characters; "upload" if nothing is left.
 */
export function cleanFileName(name: string | null | undefined): string {
  const cleaned = [...(name ?? '').replace(/\p{Cc}/gu, '').trim()].slice(0, FILE_NAME_MAX_CHARS).join('');
  return cleaned || 'upload';
}

function toHttpError(err: unknown, maxBytes: number): unknown {
  const httpCode = (err as { httpCode?: unknown }).httpCode;
  const code = (err as { code?: unknown }).code;
  if (code === formidableErrors.maxFilesExceeded) return badRequest('Send exactly one file.', [{ path: 'file', message: 'one file only' }]);
  if (httpCode === 413) return payloadTooLarge(`Files larger than ${maxBytes} bytes are not accepted.`);
  if (typeof httpCode === 'number' && httpCode >= 400 && httpCode < 500) return badRequest(`The multipart body is not valid: ${(err as Error).message}`);
  return err;
}
