import assert from 'node:assert/strict';
import zlib from 'node:zlib';
import { test } from 'node:test';
import { Jimp } from 'jimp';
import { reencodeImage } from '../../src/images/process-image.js';
import { UnreadableImageError } from '../../src/images/unreadable-image.js';
import { greyTiff, interlacedPng } from '../helpers/image-fixtures.js';

test('a JPEG stays a JPEG; its thumbnail keeps the aspect ratio within the size; small images are not enlarged', async () => {
  const jpeg = await new Jimp({ width: 1000, height: 400, color: 0xff8800ff }).getBuffer('image/jpeg');
  const out = await reencodeImage(jpeg, 320);
  assert.deepEqual([out.mime, out.extension, out.width, out.height], ['image/jpeg', 'jpg', 1000, 400]);
  const thumb = await Jimp.fromBuffer(out.thumbnail);
  assert.deepEqual([thumb.width, thumb.height], [320, 128]);
  const small = await reencodeImage(await new Jimp({ width: 50, height: 40, color: 0x00ff00ff }).getBuffer('image/png'), 320);
  assert.equal((await Jimp.fromBuffer(small.thumbnail)).width, 50);
});

test('a BMP is re-encoded as PNG', async () => {
  const bmp = await new Jimp({ width: 20, height: 10, color: 0x123456ff }).getBuffer('image/bmp');
  const out = await reencodeImage(bmp, 320);
  assert.equal(out.mime, 'image/png');
});

test('a header claiming a gigantic image is refused before decoding', async () => {
  const png = await new Jimp({ width: 2, height: 2, color: 0xffffffff }).getBuffer('image/png');
  const bomb = Buffer.from(png);
  bomb.writeUInt32BE(100_000, 16); // IHDR width
  bomb.writeUInt32BE(100_000, 20); // IHDR height
  await assert.rejects(reencodeImage(bomb, 320), (err: unknown) => err instanceof UnreadableImageError && /too large/.test(err.message));
});

test('garbage is an UnreadableImageError, not a crash', async () => {
  await assert.rejects(reencodeImage(Buffer.from('hello, not an image'), 320), UnreadableImageError);
});

test('an interlaced PNG decodes; one whose data inflates past its declared size is refused before jimp inflates it unbounded', async () => {
  const out = await reencodeImage(interlacedPng(40, 30), 320);
  assert.deepEqual([out.width, out.height], [40, 30]);
  // 1x1 declared, 50 MB inflated (about 50 KB on disk): pngjs inflates interlaced data without a bound.
  const bomb = interlacedPng(1, 1, 50_000_000);
  assert.ok(bomb.length < 100_000);
  await assert.rejects(reencodeImage(bomb, 320), (err: unknown) => err instanceof UnreadableImageError && /inflates to more than the 1x1/.test(err.message));
});

test('a Deflate TIFF decodes; one whose strip inflates past its declared size, or a JPEG-compressed one, is refused', async () => {
  const out = await reencodeImage(greyTiff(20, 10), 320);
  assert.deepEqual([out.mime, out.width, out.height], ['image/png', 20, 10]);
  // 1x1 declared, 50 MB inflated: utif inflates each strip with no bound before it looks at the size.
  const bomb = greyTiff(1, 1, { data: zlib.deflateSync(Buffer.alloc(50_000_000)) });
  await assert.rejects(reencodeImage(bomb, 320), (err: unknown) => err instanceof UnreadableImageError && /inflates to more than the 1x1/.test(err.message));
  await assert.rejects(reencodeImage(greyTiff(20, 10, { compression: 7 }), 320), /TIFF compression 7 is not supported/);
});
