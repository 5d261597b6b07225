import zlib from 'node:zlib';
import { DEFLATE_COMPRESSIONS, readTiffPages } from './tiff-frames.js';
import { UnreadableImageError } from './unreadable-image.js';

/**
 * Refuses a Deflate-compressed TIFF whose strips or tiles inflate past their declared size. utif (jimp's TIFF
 * decoder) inflates each with pako and no bound, then drops what does not fit: a few MB of compressed zeros
 * would first grow to gigabytes. Each is inflated once here, bounded by its size from the header.
 */
export function checkTiffInflation(bytes: Uint8Array): void {
  if (!(bytes[0] === 0x49 && bytes[1] === 0x49) && !(bytes[0] === 0x4d && bytes[1] === 0x4d)) return;
  for (const page of readTiffPages(bytes)) {
    if (!DEFLATE_COMPRESSIONS.has(page.compression)) continue;
    for (const { offset, length } of page.chunks) {
      // As utif reads it: the raw deflate stream between the 2-byte zlib header and the 4-byte checksum.
      const data = bytes.subarray(offset + 2, Math.min(offset + length - 4, bytes.length));
      try {
        zlib.inflateRawSync(data, { maxOutputLength: page.chunkBytes + 1024 });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ERR_BUFFER_TOO_LARGE') continue; // corrupt: utif fails on it itself
        throw new UnreadableImageError(`image too large: its data inflates to more than the ${page.width}x${page.height} its header declares`);
      }
    }
  }
}
