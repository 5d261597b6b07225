import zlib from 'node:zlib';
import { UnreadableImageError } from './unreadable-image.js';

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
/** Samples per pixel by PNG colour type (greyscale, RGB, palette, greyscale+alpha, RGBA). */
const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };
/** Interlacing adds a filter byte per row of each of 7 passes and pads rows to whole bytes: far less than this. */
const INTERLACE_SLACK = 64 * 1024;

/**
 * Refuses an interlaced PNG whose image data inflates to more than its header's size allows. pngjs (jimp's PNG
 * decoder) bounds the inflate of a non-interlaced PNG by the size from IHDR but inflates an interlaced one without
 * any bound: a 1x1 interlaced file of 10 MB of compressed zeros would inflate to gigabytes before failing. The
 * data is inflated once here with that bound (CPU and memory bounded by the header's size); others pass untouched.
 */
export function checkPngInflation(bytes: Buffer): void {
  if (!PNG_SIGNATURE.every((byte, i) => bytes[i] === byte) || bytes.length < 33 || bytes[28] !== 1) return;
  const [width, height, depth, colorType] = [bytes.readUInt32BE(16), bytes.readUInt32BE(20), bytes[24]!, bytes[25]!];
  const rowBytes = Math.ceil((width * (CHANNELS[colorType] ?? 4) * depth) / 8) + 1;
  const limit = rowBytes * height + 7 * height + INTERLACE_SLACK;
  const data: Buffer[] = [];
  for (let at = 8; at + 8 <= bytes.length; ) {
    const length = bytes.readUInt32BE(at);
    const type = bytes.toString('latin1', at + 4, at + 8);
    if (type === 'IDAT') data.push(bytes.subarray(at + 8, Math.min(at + 8 + length, bytes.length)));
    if (type === 'IEND') break;
    at += 12 + length;
  }
  try {
    zlib.inflateSync(Buffer.concat(data), { maxOutputLength: limit });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new UnreadableImageError(`image too large: its data inflates to more than the ${width}x${height} its header declares`);
    }
    throw new UnreadableImageError(`not a readable image: ${(err as Error).message}`);
  }
}
