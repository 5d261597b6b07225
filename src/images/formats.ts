/** Image types accepted as uploads (what jimp decodes), by the MIME type file-type detects from the bytes. */
export const UPLOAD_IMAGE_TYPES: ReadonlySet<string> = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/bmp', 'image/tiff']);

/** Larger images are refused before decoding: a 40 MP RGBA bitmap is already 160 MB. */
export const MAX_IMAGE_PIXELS = 40_000_000;

/** Decoder limits handed to jimp (only JPEG's decoder takes them). */
export const JPEG_DECODE_LIMITS = { maxResolutionInMP: MAX_IMAGE_PIXELS / 1_000_000, maxMemoryUsageInMB: 512 } as const;

/** JPEG stays JPEG (at a sane quality); everything else is re-encoded as PNG, which every browser shows. */
export function outputFormatOf(mime: string): { mime: 'image/jpeg' | 'image/png'; extension: 'jpg' | 'png' } {
  return mime === 'image/jpeg' ? { mime: 'image/jpeg', extension: 'jpg' } : { mime: 'image/png', extension: 'png' };
}

/** The JPEG quality of re-encoded uploads and thumbnails (jimp's default of 100 bloats files). */
export const JPEG_QUALITY = 85;
