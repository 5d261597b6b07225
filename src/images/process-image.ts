import { Jimp } from 'jimp';
import { imageSize } from 'image-size';
import { JPEG_DECODE_LIMITS, JPEG_QUALITY, MAX_IMAGE_PIXELS, outputFormatOf } from './formats.js';

/** The bytes are not an image we can read (corrupt, truncated, unsupported or too large): retrying cannot help. */
export class UnreadableImageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnreadableImageError';
  }
}

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

/** Dimensions from the header, refusing decompression bombs before any bitmap is allocated. */
function checkDimensions(bytes: Buffer): void {
  let size: { width?: number; height?: number };
  try {
    size = imageSize(bytes);
  } catch (err) {
    throw new UnreadableImageError(`not a readable image: ${(err as Error).message}`);
  }
  const { width = 0, height = 0 } = size;
  if (width <= 0 || height <= 0) throw new UnreadableImageError('not a readable image: no dimensions');
  if (width * height > MAX_IMAGE_PIXELS) {
    throw new UnreadableImageError(`image too large: ${width}x${height} exceeds ${MAX_IMAGE_PIXELS / 1_000_000} megapixels`);
  }
}

/** Decodes, re-encodes and thumbnails an image; throws UnreadableImageError for anything that is not a readable image. */
export async function reencodeImage(bytes: Buffer, thumbnailSize: number): Promise<ProcessedImage> {
  checkDimensions(bytes);
  let image: Awaited<ReturnType<typeof Jimp.fromBuffer>>;
  try {
    // Never Jimp.read(path): it fetches URLs. Limits bound the JPEG decoder's memory.
    image = await Jimp.fromBuffer(bytes, { 'image/jpeg': JPEG_DECODE_LIMITS });
  } catch (err) {
    throw new UnreadableImageError(`not a readable image: ${(err as Error).message}`);
  }
  const format = outputFormatOf(image.mime ?? 'image/png');
  const encode = (img: typeof image) =>
    format.mime === 'image/jpeg' ? img.getBuffer('image/jpeg', { quality: JPEG_QUALITY }) : img.getBuffer('image/png');
  const { width, height } = image;
  const original = await encode(image);
  if (Math.max(width, height) > thumbnailSize) image.scaleToFit({ w: thumbnailSize, h: thumbnailSize });
  const thumbnail = await encode(image);
  return { ...format, width, height, original, thumbnail };
}
