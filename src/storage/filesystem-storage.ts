import { createReadStream, createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { isValidKey, publicPath, type Storage, type StoredFile } from './storage.js';

/** Storage in a folder (MEDIA_DIR): a key is a relative path; writes land in a temporary file renamed into place. */
export class FileSystemStorage implements Storage {
  readonly root: string;

  constructor(
    root: string,
    private readonly publicBaseUrl = '',
  ) {
    this.root = path.resolve(root);
  }

  async put(key: string, body: Buffer | Readable): Promise<void> {
    const target = this.pathOf(key);
    await fs.mkdir(path.dirname(target), { recursive: true });
    const temp = `${target}.${randomUUID()}.part`;
    try {
      await pipeline(Buffer.isBuffer(body) ? Readable.from([body]) : body, createWriteStream(temp, { flags: 'wx' }));
      await fs.rename(temp, target);
    } catch (err) {
      await fs.rm(temp, { force: true });
      throw err;
    }
  }

  get(key: string): Promise<Buffer> {
    return fs.readFile(this.pathOf(key));
  }

  async open(key: string): Promise<StoredFile | undefined> {
    if (!isValidKey(key)) return undefined;
    const file = this.pathOf(key);
    try {
      const handle = await fs.open(file, 'r');
      const stat = await handle.stat();
      if (!stat.isFile()) {
        await handle.close();
        return undefined;
      }
      return { body: createReadStream(file, { fd: handle }), size: stat.size, modified: stat.mtime };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  async delete(key: string): Promise<void> {
    await fs.rm(this.pathOf(key), { force: true });
  }

  url(key: string): string {
    return `${this.publicBaseUrl.replace(/\/+$/, '')}${publicPath(key)}`;
  }

  /** The file of a key inside the root; a key that could escape it is refused. */
  pathOf(key: string): string {
    if (!isValidKey(key)) throw new Error(`invalid storage key: ${key}`);
    return path.join(this.root, ...key.split('/'));
  }
}

/** The storage of this deployment: files under MEDIA_DIR, URLs absolute when PUBLIC_URL is set. */
export function createStorage(config: { MEDIA_DIR: string; PUBLIC_URL?: string | undefined }): Storage {
  return new FileSystemStorage(config.MEDIA_DIR, config.PUBLIC_URL ?? '');
}
