import { Jimp } from 'jimp';
import { JPEG_QUALITY, outputFormatOf } from './formats.js';
import { checkDecodeSize, DEFAULT_DECODE_LIMITS, jpegDecodeLimits, type DecodeLimits } from './decode-limits.js';
import { UnreadableImageError } from './unreadable-image.js';
import { checkPngInflation } from './png-inflation.js';
import { checkTiffInflation } from './tiff-inflation.js';

export interface ProcessedImage {
  mime: 'image/jpeg' | 'image/png';
  extension: 'jpg' | 'png';
  width: number;
  height: number;
  /** Re-encoded full image: no metadata (EXIF, comments) survives. */
  original: Buffer;
  /** At most `thumbnailSize` on its long side, never enlarged. */
  thumbnail: Buffer;
}

/**
 * Decodes, re-encodes and thumbnails an image; throws UnreadableImageError for anything that is not a readable
 * image or is over `limits`. Runs on the calling thread: the worker's activity goes through image-decoder.ts.
 */
export async function reencodeImage(bytes: Buffer, thumbnailSize: number, limits: DecodeLimits = DEFAULT_DECODE_LIMITS): Promise<ProcessedImage> {
  checkDecodeSize(bytes, limits);
  // Zip bombs inside a valid header: the PNG and TIFF decoders inflate some data without a bound.
  checkPngInflation(bytes);
  checkTiffInflation(bytes);
  let image: Awaited<ReturnType<typeof Jimp.fromBuffer>>;
  try {
    // Never Jimp.read(path): it fetches URLs. Limits bound the JPEG decoder's memory.
    image = await Jimp.fromBuffer(bytes, { 'image/jpeg': jpegDecodeLimits(limits) });
  } catch (err) {
    throw new UnreadableImageError(`not a readable image: ${(err as Error).message}`);
  }
  const format = outputFormatOf(image.mime ?? 'image/png');
  const encode = (img: typeof image) => (format.mime === 'image/jpeg' ? img.getBuffer('image/jpeg', { quality: JPEG_QUALITY }) : img.getBuffer('image/png'));
  const { width, height } = image;
  const original = await encode(image);
  if (Math.max(width, height) > thumbnailSize) image.scaleToFit({ w: thumbnailSize, h: thumbnailSize });
  const thumbnail = await encode(image);
  return { ...format, width, height, original, thumbnail };
}
