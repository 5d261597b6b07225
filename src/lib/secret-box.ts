import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/**
 * Secrets kept at rest (bot tokens) in AES-256-GCM under a key derived from SECRET_KEY with HKDF-SHA256.
 * The `purpose` is HKDF's info: a key for one purpose opens nothing of another. Layout of a box:
 * version byte (1), 12-byte IV, 16-byte tag, ciphertext; the version lets a later key or cipher coexist.
 */
const VERSION = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;

export class SecretBox {
  private readonly key: Buffer;

  constructor(secretKey: string, purpose: string) {
    this.key = Buffer.from(hkdfSync('sha256', secretKey, 'quiz-backend secret-box', purpose, 32));
  }

  /** Encrypts a secret; each call uses a fresh IV. */
  seal(plaintext: string): Buffer {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return Buffer.concat([Buffer.from([VERSION]), iv, cipher.getAuthTag(), body]);
  }

  /** Decrypts a box; throws when it was sealed under another key or changed since. */
  open(box: Uint8Array): string {
    const data = Buffer.from(box);
    if (data[0] !== VERSION || data.length < 1 + IV_BYTES + TAG_BYTES) throw new Error('not a secret box of this version');
    const decipher = createDecipheriv('aes-256-gcm', this.key, data.subarray(1, 1 + IV_BYTES));
    decipher.setAuthTag(data.subarray(1 + IV_BYTES, 1 + IV_BYTES + TAG_BYTES));
    return Buffer.concat([decipher.update(data.subarray(1 + IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
  }
}
