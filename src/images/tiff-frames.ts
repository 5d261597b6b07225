import type { FrameSize } from './frame-sizes.js';
import { UnreadableImageError } from './unreadable-image.js';

const TAG = {
  width: 256,
  height: 257,
  bitsPerSample: 258,
  compression: 259,
  stripOffsets: 273,
  samplesPerPixel: 277,
  stripByteCounts: 279,
  tileWidth: 322,
  tileLength: 323,
  tileOffsets: 324,
  tileByteCounts: 325,
  subIfds: 330,
} as const;
const TYPE_SIZES: Record<number, number> = { 1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8, 13: 4 };

/** More pages than any upload has; past it the file is refused rather than walked. */
const MAX_IFDS = 256;
/** utif decodes at most this many bits per pixel sensibly; more is a way to multiply the buffer it allocates. */
const MAX_BITS_PER_PIXEL = 128;
/** Offsets of strips or tiles read per page at most (a 40 MP page in 8-row strips has 5,000 of them). */
const MAX_CHUNKS = 100_000;

/**
 * Compressions whose utif decoders write into the page's preallocated buffer (none, CCITT fax, LZW, PackBits) or
 * that checkTiffInflation bounds (Deflate). The others are refused: utif's JPEG decoders allocate by the size
 * inside each strip's own JPEG, and its camera-raw ones are not for uploads.
 */
export const TIFF_COMPRESSIONS: ReadonlySet<number> = new Set([1, 2, 3, 4, 5, 8, 32773, 32946]);
export const DEFLATE_COMPRESSIONS: ReadonlySet<number> = new Set([8, 32946]);

export interface TiffPage extends FrameSize {
  compression: number;
  /** Uncompressed bytes of one strip or tile at most. */
  chunkBytes: number;
  /** Where each strip (or tile) lies in the file. */
  chunks: Array<{ offset: number; length: number }>;
}

/**
 * Every image of a TIFF as jimp's decoder (utif) would allocate it: each IFD of the chain and of SubIFDs
 * (utif decodes every page, not only the first, which is all image-size reads), with tiles counted as frames
 * because utif allocates a buffer per tile of the declared tile size. Classic TIFF only: utif reads BigTIFF
 * poorly and nobody uploads one.
 */
export function readTiffFrames(bytes: Uint8Array): FrameSize[] {
  return readTiffPages(bytes).flatMap((page) => [{ width: page.width, height: page.height }, ...(page.tile ? [page.tile] : [])]);
}

/** Every page (IFD or SubIFD holding an image) of a TIFF, with its compression and strips or tiles; see readTiffFrames. */
export function readTiffPages(bytes: Uint8Array): Array<TiffPage & { tile?: FrameSize }> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const le = bytes[0] === 0x49;
  const magic = view.getUint16(2, le);
  if (magic === 43) throw new UnreadableImageError('not a readable image: BigTIFF is not supported');
  if (magic !== 42) throw new UnreadableImageError('not a readable image: bad TIFF header');

  const u16 = (at: number) => (at + 2 <= bytes.length ? view.getUint16(at, le) : undefined);
  const u32 = (at: number) => (at + 4 <= bytes.length ? view.getUint32(at, le) : undefined);
  /** The values of one entry: inline when they fit in four bytes, else at the offset the entry holds. */
  const values = (entry: number): number[] => {
    const type = u16(entry + 2) ?? 0;
    const count = u32(entry + 4) ?? 0;
    const size = TYPE_SIZES[type] ?? 0;
    if (size === 0 || (type !== 3 && type !== 4 && type !== 13)) return [];
    const start = count * size <= 4 ? entry + 8 : (u32(entry + 8) ?? bytes.length);
    const out: number[] = [];
    // Bounded by the file's length: a count of four billion reads nothing past the end.
    for (let i = 0; i < count && start + (i + 1) * size <= bytes.length && out.length < MAX_CHUNKS; i += 1) {
      out.push(size === 2 ? view.getUint16(start + i * 2, le) : view.getUint32(start + i * 4, le));
    }
    return out;
  };

  const pages: Array<TiffPage & { tile?: FrameSize }> = [];
  const queue: number[] = [u32(4) ?? 0];
  const seen = new Set<number>();
  while (queue.length > 0) {
    const offset = queue.shift()!;
    if (offset === 0 || seen.has(offset)) continue;
    if (offset + 2 > bytes.length) break; // a truncated chain: utif stops there too
    seen.add(offset);
    if (seen.size > MAX_IFDS) throw new UnreadableImageError(`image too large: more than ${MAX_IFDS} TIFF pages`);
    const count = u16(offset)!;
    const tags = new Map<number, number[]>();
    for (let i = 0; i < count; i += 1) {
      const entry = offset + 2 + i * 12;
      if (entry + 12 > bytes.length) break;
      tags.set(view.getUint16(entry, le), values(entry));
    }
    const [width, height] = [tags.get(TAG.width)?.[0], tags.get(TAG.height)?.[0]];
    if (width !== undefined && height !== undefined) {
      const bits = tags.get(TAG.bitsPerSample) ?? [1];
      const samples = tags.get(TAG.samplesPerPixel)?.[0] ?? 1;
      const bitsPerPixel = bits.length > 1 ? bits.reduce((a, b) => a + b, 0) : (bits[0] ?? 1) * samples;
      if (bitsPerPixel > MAX_BITS_PER_PIXEL) throw new UnreadableImageError(`not a readable image: ${bitsPerPixel} bits per pixel`);
      const compression = tags.get(TAG.compression)?.[0] ?? 1;
      if (!TIFF_COMPRESSIONS.has(compression)) throw new UnreadableImageError(`not a readable image: TIFF compression ${compression} is not supported`);
      const [tileWidth, tileLength] = [tags.get(TAG.tileWidth)?.[0], tags.get(TAG.tileLength)?.[0]];
      const tile = tileWidth !== undefined && tileLength !== undefined ? { width: tileWidth, height: tileLength } : undefined;
      const [offsets, lengths] = tile ? [tags.get(TAG.tileOffsets) ?? [], tags.get(TAG.tileByteCounts) ?? []] : [tags.get(TAG.stripOffsets) ?? [], tags.get(TAG.stripByteCounts) ?? []];
      const area = tile ?? { width, height };
      const chunkBytes = Math.ceil((area.width * bitsPerPixel) / 8) * area.height;
      const chunks = offsets.map((offset, i) => ({ offset, length: lengths[i] ?? 0 }));
      pages.push({ width, height, compression, chunkBytes, chunks, ...(tile ? { tile } : {}) });
    }
    queue.push(...(tags.get(TAG.subIfds) ?? []));
    const next = u32(offset + 2 + count * 12);
    if (next !== undefined) queue.push(next);
  }
  return pages;
}
