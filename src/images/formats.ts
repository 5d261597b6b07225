/** Image types accepted as uploads (what jimp decodes), by the MIME type file-type detects from the bytes. */
export const UPLOAD_IMAGE_TYPES: ReadonlySet<string> = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/bmp', 'image/tiff']);

/** JPEG stays JPEG (at a sane quality); everything else is re-encoded as PNG, which every browser shows. */
export function outputFormatOf(mime: string): { mime: 'image/jpeg' | 'image/png'; extension: 'jpg' | 'png' } {
  return mime === 'image/jpeg' ? { mime: 'image/jpeg', extension: 'jpg' } : { mime: 'image/png', extension: 'png' };
}

/** The JPEG quality of re-encoded uploads and thumbnails (jimp's default of 100 bloats files). */
export const JPEG_QUALITY = 85;
