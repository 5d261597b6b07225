/**
 * Hostile and heavy images, built byte by byte (nothing downloaded):
 *
 *   gifBomb()                       // 29 bytes: screen 1x1, first frame 30000x30000
 *   gif({ width, height }, frames)  // a GIF whose image descriptors say what is given
 *   tiff([{ width, height }, ...])  // one IFD per page, chained (or `subIfd` for a SubIFD)
 *   greyTiff(w, h, { compression, data })  // one 8-bit greyscale page in one strip (Deflate-compressed zeros by default)
 *   withExtraJpegFrame(jpeg, w, h)  // a second SOF0 after the scan of a real JPEG
 *   blankPng(6000, 6600)            // a legitimate PNG that decodes to 158 MB of RGBA, in about 150 KB
 *   interlacedPng(40, 30)           // a legitimate Adam7-interlaced PNG; interlacedPng(1, 1, 50e6) inflates to 50 MB
 */
import zlib from 'node:zlib';

export interface Size {
  width: number;
  height: number;
}

const u16le = (n: number) => [n & 0xff, (n >> 8) & 0xff];

/** A GIF89a without colour tables whose frames each carry a few bytes of LZW data (decodable or not: the header is the point). */
export function gif(screen: Size, frames: Size[]): Buffer {
  const bytes = [...Buffer.from('GIF89a'), ...u16le(screen.width), ...u16le(screen.height), 0, 0, 0];
  for (const frame of frames) {
    bytes.push(0x2c, 0, 0, 0, 0, ...u16le(frame.width), ...u16le(frame.height), 0); // image descriptor
    bytes.push(2, 2, 0x4c, 0x01, 0); // LZW minimum code size, one sub-block of 2 bytes, terminator
  }
  bytes.push(0x3b);
  return Buffer.from(bytes);
}

/** The 29-byte GIF: the screen descriptor says 1x1, the first frame 30000x30000. */
export const gifBomb = (): Buffer => gif({ width: 1, height: 1 }, [{ width: 30_000, height: 30_000 }]);

/** A little-endian TIFF with one IFD per page (width, height, 8-bit greyscale), chained; `subIfd` hangs the last page under the first. */
export function tiff(pages: Size[], options: { subIfd?: boolean } = {}): Buffer {
  const entries = 4;
  const ifdSize = 2 + entries * 12 + 4;
  const out = Buffer.alloc(8 + pages.length * ifdSize);
  out.write('II', 0, 'ascii');
  out.writeUInt16LE(42, 2);
  out.writeUInt32LE(8, 4);
  const offsetOf = (i: number) => 8 + i * ifdSize;
  pages.forEach((page, i) => {
    const at = offsetOf(i);
    out.writeUInt16LE(entries, at);
    const tag = (n: number, code: number, type: number, value: number) => {
      const e = at + 2 + n * 12;
      out.writeUInt16LE(code, e);
      out.writeUInt16LE(type, e + 2);
      out.writeUInt32LE(1, e + 4);
      out.writeUInt32LE(value, e + 8);
    };
    tag(0, 256, 4, page.width);
    tag(1, 257, 4, page.height);
    tag(2, 258, 3, 8);
    const sub = options.subIfd && i === 0 && pages.length > 1;
    tag(3, sub ? 330 : 277, 4, sub ? offsetOf(pages.length - 1) : 1);
    const chained = options.subIfd ? i + 1 < pages.length - 1 : i + 1 < pages.length;
    out.writeUInt32LE(chained ? offsetOf(i + 1) : 0, at + 2 + entries * 12);
  });
  return out;
}

/** One 8-bit greyscale page in one strip: by default Deflate (8) of `width x height` zero bytes; `data` replaces the strip. */
export function greyTiff(width: number, height: number, options: { compression?: number; data?: Buffer } = {}): Buffer {
  const strip = options.data ?? zlib.deflateSync(Buffer.alloc(width * height));
  // tag, type (3 SHORT, 4 LONG), value; the strip follows the IFD.
  const tags: Array<[number, number, number]> = [
    [256, 4, width],
    [257, 4, height],
    [258, 3, 8],
    [259, 3, options.compression ?? 8],
    [262, 3, 1],
    [273, 4, 0],
    [277, 3, 1],
    [278, 4, height],
    [279, 4, strip.length],
  ];
  const ifdSize = 2 + tags.length * 12 + 4;
  const out = Buffer.alloc(8 + ifdSize);
  out.write('II', 0, 'ascii');
  out.writeUInt16LE(42, 2);
  out.writeUInt32LE(8, 4);
  out.writeUInt16LE(tags.length, 8);
  tags.forEach(([tag, type, value], i) => {
    const at = 10 + i * 12;
    out.writeUInt16LE(tag, at);
    out.writeUInt16LE(type, at + 2);
    out.writeUInt32LE(1, at + 4);
    if (type === 3) out.writeUInt16LE(tag === 273 ? 0 : value, at + 8);
    else out.writeUInt32LE(tag === 273 ? 8 + ifdSize : value, at + 8);
  });
  return Buffer.concat([out, strip]);
}

/** A real JPEG with a second baseline frame header (SOF0) of the given size placed after its scan, before EOI. */
export function withExtraJpegFrame(jpeg: Buffer, width: number, height: number): Buffer {
  const sof = Buffer.from([0xff, 0xc0, 0, 11, 8, height >> 8, height & 0xff, width >> 8, width & 0xff, 1, 1, 0x11, 0]);
  return Buffer.concat([jpeg.subarray(0, jpeg.length - 2), sof, jpeg.subarray(jpeg.length - 2)]);
}

function pngChunk(type: string, data: Buffer): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'ascii');
  data.copy(out, 8);
  out.writeUInt32BE(zlib.crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

/** An 8-bit RGBA PNG of the given size whose image data is `rows` (filter bytes included), deflated. */
function rgbaPng(width: number, height: number, interlaced: boolean, rows: Buffer): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bits per sample
  header[9] = 6; // RGBA
  header[12] = interlaced ? 1 : 0; // Adam7
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([signature, pngChunk('IHDR', header), pngChunk('IDAT', zlib.deflateSync(rows, { level: 9 })), pngChunk('IEND', Buffer.alloc(0))]);
}

/** A valid, all-transparent RGBA PNG: tiny on disk, `width x height x 4` bytes once decoded. */
export function blankPng(width: number, height: number): Buffer {
  return rgbaPng(width, height, false, Buffer.alloc((width * 4 + 1) * height)); // filter byte 0 and zero pixels on every row
}

/** Adam7's seven passes: first column and row, and the steps between them. */
const ADAM7 = [
  [0, 0, 8, 8],
  [4, 0, 8, 8],
  [0, 4, 4, 8],
  [2, 0, 4, 4],
  [0, 2, 2, 4],
  [1, 0, 2, 2],
  [0, 1, 1, 2],
] as const;

/** An all-transparent interlaced RGBA PNG; with `inflatedBytes`, image data of that many zeros whatever the size says. */
export function interlacedPng(width: number, height: number, inflatedBytes?: number): Buffer {
  const size = ADAM7.reduce((sum, [x0, y0, dx, dy]) => {
    const [w, h] = [Math.max(0, Math.ceil((width - x0) / dx)), Math.max(0, Math.ceil((height - y0) / dy))];
    return w > 0 && h > 0 ? sum + h * (1 + w * 4) : sum;
  }, 0);
  return rgbaPng(width, height, true, Buffer.alloc(inflatedBytes ?? size));
}
