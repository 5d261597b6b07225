/**
 * Reading xlsx files that may be hostile. An xlsx is a zip: a few KB can unpack to gigabytes (a zip bomb), and
 * exceljs unpacks what it is given into memory. So the zip's central directory is read first (yauzl, which
 * reads it without unpacking anything) and a file whose entries declare more than XLSX_MAX_UNPACKED_BYTES, or
 * too many entries, is refused before exceljs sees it. yauzl also checks that each entry's declared size
 * matches what it unpacks to, so the sizes checked are the sizes read.
 */
import ExcelJS from 'exceljs';
import yauzl from 'yauzl';
import { ImportFileError } from './types.js';

/** A 5 MiB question sheet unpacks to a few tens of MB at most; far more is a bomb, not a quiz. */
export const XLSX_MAX_UNPACKED_BYTES = 64 * 1024 * 1024;
const XLSX_MAX_ENTRIES = 1000;

/** Sums the declared unpacked sizes of a zip's entries; rejects with ImportFileError when it is not a zip. */
function unpackedSize(content: Buffer): Promise<{ bytes: number; entries: number }> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(content, { lazyEntries: true, validateEntrySizes: true }, (err, zip) => {
      if (err || !zip) return reject(new ImportFileError('file', `not an xlsx workbook (${err?.message ?? 'unreadable zip'})`));
      let bytes = 0;
      let entries = 0;
      zip.on('entry', (entry: yauzl.Entry) => {
        bytes += entry.uncompressedSize;
        entries += 1;
        if (bytes > XLSX_MAX_UNPACKED_BYTES || entries > XLSX_MAX_ENTRIES) {
          zip.close();
          return resolve({ bytes, entries });
        }
        zip.readEntry();
      });
      zip.on('end', () => resolve({ bytes, entries }));
      zip.on('error', (e: Error) => reject(new ImportFileError('file', `not an xlsx workbook (${e.message})`)));
      zip.readEntry();
    });
  });
}

/** The workbook of an xlsx file, once its zip is known to unpack to a sane size. */
export async function readWorkbook(content: Buffer): Promise<ExcelJS.Workbook> {
  const { bytes, entries } = await unpackedSize(content);
  if (bytes > XLSX_MAX_UNPACKED_BYTES) throw new ImportFileError('file', `the workbook unpacks to more than ${XLSX_MAX_UNPACKED_BYTES} bytes; refused unread`);
  if (entries > XLSX_MAX_ENTRIES) throw new ImportFileError('file', `the workbook holds more than ${XLSX_MAX_ENTRIES} files; refused unread`);
  const workbook = new ExcelJS.Workbook();
  try {
    await workbook.xlsx.load(content as unknown as ArrayBuffer);
  } catch (err) {
    throw new ImportFileError('file', `not a readable xlsx workbook (${(err as Error).message})`);
  }
  return workbook;
}

/** A cell's value as text: rich text joined, formulas by their cached result, numbers as written. */
export function cellText(cell: ExcelJS.Cell): string {
  const value = cell.value;
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value instanceof Date) return value.toISOString();
  if ('richText' in value) return value.richText.map((r) => r.text).join('');
  if ('result' in value) return value.result === undefined || value.result === null ? '' : String(value.result instanceof Date ? value.result.toISOString() : typeof value.result === 'object' ? '' : value.result);
  if ('text' in value) return String(value.text);
  return '';
}
