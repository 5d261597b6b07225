import { readDecodeSize, type DecodeSize } from './frame-sizes.js';
import { UnreadableImageError } from './unreadable-image.js';

/** Larger images are refused before decoding: a 40 MP RGBA bitmap is already 160 MB. */
export const MAX_IMAGE_PIXELS = 40_000_000;

/**
 * Peak memory of decoding, re-encoding and thumbnailing, per pixel of the decoded bitmap: a 6000x6600 PNG
 * (39.6 MP) peaked near 800 MB (RGBA) and 500 MB (greyscale); the decoders' buffers are outside V8's heap,
 * so this estimate is what bounds them.
 */
export const DECODE_BYTES_PER_PIXEL = 20;

/** What decoding these bytes may take at most: pixels per frame and in all, memory by the estimate above. */
export interface DecodeLimits {
  maxPixels: number;
  maxMemoryMb: number;
}

export const DEFAULT_DECODE_LIMITS: DecodeLimits = { maxPixels: MAX_IMAGE_PIXELS, maxMemoryMb: 1024 };

const megapixels = (pixels: number) => `${Math.round(pixels / 100_000) / 10} megapixels`;

/**
 * Refuses decompression bombs from the headers alone, before any bitmap is allocated: every frame, page and
 * tile must fit the pixel limit, and the decoder's estimated peak must fit the memory limit.
 */
export function checkDecodeSize(bytes: Uint8Array, limits: DecodeLimits = DEFAULT_DECODE_LIMITS): DecodeSize {
  const size = readDecodeSize(bytes);
  const huge = size.frames.find((f) => f.width * f.height > limits.maxPixels);
  if (huge) throw new UnreadableImageError(`image too large: a frame of ${huge.width}x${huge.height} exceeds ${megapixels(limits.maxPixels)}`);
  if (size.decodedPixels > limits.maxPixels) {
    throw new UnreadableImageError(`image too large: its ${size.frames.length} pages hold ${megapixels(size.decodedPixels)}, over ${megapixels(limits.maxPixels)}`);
  }
  const memoryMb = Math.ceil((size.decodedPixels * DECODE_BYTES_PER_PIXEL) / 1_000_000);
  if (memoryMb > limits.maxMemoryMb) {
    throw new UnreadableImageError(`image too large: decoding it would take about ${memoryMb} MB, over the ${limits.maxMemoryMb} MB limit`);
  }
  return size;
}

/** Limits handed to jimp's JPEG decoder, the only one that takes any. */
export function jpegDecodeLimits(limits: DecodeLimits): { maxResolutionInMP: number; maxMemoryUsageInMB: number } {
  return { maxResolutionInMP: limits.maxPixels / 1_000_000, maxMemoryUsageInMB: limits.maxMemoryMb };
}
