import { imageSize } from 'image-size';
import { readTiffFrames } from './tiff-frames.js';
import { UnreadableImageError } from './unreadable-image.js';

export interface FrameSize {
  width: number;
  height: number;
}

export interface DecodeSize {
  format: 'png' | 'jpeg' | 'gif' | 'bmp' | 'tiff';
  /** Every size a decoder would allocate a bitmap for: the canvas and each frame, page or tile. */
  frames: FrameSize[];
  /** Pixels the decoder holds at once: the largest frame, or for TIFF (every page is decoded) all of them. */
  decodedPixels: number;
}

/** More frames than an upload has (a long animated GIF has hundreds): past it the file is refused, not listed. */
export const MAX_FRAMES = 10_000;

const startsWith = (bytes: Uint8Array, signature: number[]) => signature.every((byte, i) => bytes[i] === byte);

/**
 * The sizes jimp's decoders would allocate for these bytes, read from the headers only (linear in the file's
 * length, no decoding). image-size reads one header per file, but a GIF frame may be larger than its canvas
 * (a 29-byte file saying 1x1 with a 30000x30000 frame), a JPEG may hold several frames and a TIFF several pages:
 * all of them are read here. Throws UnreadableImageError when the format is not one we take.
 */
export function readDecodeSize(bytes: Uint8Array): DecodeSize {
  let format: DecodeSize['format'];
  let frames: FrameSize[];
  if (startsWith(bytes, [0x47, 0x49, 0x46, 0x38])) [format, frames] = ['gif', readGifFrames(bytes)];
  else if (startsWith(bytes, [0xff, 0xd8])) [format, frames] = ['jpeg', readJpegFrames(bytes)];
  else if (startsWith(bytes, [0x49, 0x49, 0x2a]) || startsWith(bytes, [0x4d, 0x4d, 0x00]) || startsWith(bytes, [0x49, 0x49, 0x2b])) {
    [format, frames] = ['tiff', readTiffFrames(bytes)];
  } else if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47])) [format, frames] = ['png', [headerSize(bytes)]];
  else if (startsWith(bytes, [0x42, 0x4d])) [format, frames] = ['bmp', [headerSize(bytes)]];
  else throw new UnreadableImageError('not a readable image: not PNG, JPEG, GIF, BMP or TIFF');
  if (frames.length === 0) throw new UnreadableImageError('not a readable image: no frame');
  if (frames.some((f) => f.width <= 0 || f.height <= 0)) throw new UnreadableImageError('not a readable image: no dimensions');
  const pixels = frames.map((f) => f.width * f.height);
  return { format, frames, decodedPixels: pixels.reduce((a, b) => (format === 'tiff' ? a + b : Math.max(a, b)), 0) };
}

/** PNG (IHDR; APNG frames cannot exceed it and are not decoded) and BMP: one header, as the decoders read it. */
function headerSize(bytes: Uint8Array): FrameSize {
  try {
    const { width = 0, height = 0 } = imageSize(bytes);
    return { width, height };
  } catch (err) {
    throw new UnreadableImageError(`not a readable image: ${(err as Error).message}`);
  }
}

function addFrame(frames: FrameSize[], frame: FrameSize): void {
  if (frames.length >= MAX_FRAMES) throw new UnreadableImageError(`image too large: more than ${MAX_FRAMES} frames`);
  frames.push(frame);
}

/** The logical screen and every image descriptor (omggif allocates a buffer of each frame's own size). */
export function readGifFrames(bytes: Uint8Array): FrameSize[] {
  const u16 = (at: number) => (bytes[at] ?? 0) | ((bytes[at + 1] ?? 0) << 8);
  const frames: FrameSize[] = [{ width: u16(6), height: u16(8) }];
  const colorTable = (packed: number) => (packed & 0x80 ? 3 * 2 ** ((packed & 0x07) + 1) : 0);
  let at = 13 + colorTable(bytes[10] ?? 0);
  const skipSubBlocks = () => {
    while (at < bytes.length && bytes[at] !== 0) at += bytes[at]! + 1;
    at += 1;
  };
  while (at < bytes.length) {
    const block = bytes[at];
    if (block === 0x2c) {
      addFrame(frames, { width: u16(at + 5), height: u16(at + 7) });
      at += 10 + colorTable(bytes[at + 9] ?? 0) + 1; // descriptor, local colour table, LZW code size
      skipSubBlocks();
    } else if (block === 0x21) {
      at += 2; // introducer and label
      skipSubBlocks();
    } else {
      break; // trailer, or a block the decoder refuses itself
    }
  }
  return frames;
}

/** Start-of-frame markers (SOF0-SOF15 but DHT, JPG and DAC), each with its own size. */
const isStartOfFrame = (marker: number) => marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;

/** Every SOF of a JPEG, the entropy-coded data skipped; a height of 0 (set later by DNL) counts as unreadable. */
export function readJpegFrames(bytes: Uint8Array): FrameSize[] {
  const u16 = (at: number) => ((bytes[at] ?? 0) << 8) | (bytes[at + 1] ?? 0);
  const frames: FrameSize[] = [];
  let at = 2;
  while (at + 1 < bytes.length) {
    if (bytes[at] !== 0xff) {
      at += 1; // entropy-coded data after a scan (or garbage): look for the next marker
      continue;
    }
    const marker = bytes[at + 1]!;
    // Fill bytes, stuffed zeros and restart markers live inside scans and carry no length.
    if (marker === 0xff) {
      at += 1;
      continue;
    }
    if (marker === 0x00 || (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01 || marker === 0xd8) {
      at += 2;
      continue;
    }
    if (marker === 0xd9) break; // end of image: the decoder stops here
    if (isStartOfFrame(marker)) addFrame(frames, { width: u16(at + 7), height: u16(at + 5) });
    at += 2 + u16(at + 2);
  }
  return frames;
}
