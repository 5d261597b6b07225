import { readWorkbook, cellText } from '../xlsx.js';
import { ImportFileError, type ParsedQuiz } from '../types.js';
import { quizzesFromTable, TABLE_HEADER, type TableRow } from './table.js';

/** Quizzes from the question table in the first sheet of a workbook (what the xlsx export writes). */
export async function parseXlsxTable(content: Buffer): Promise<ParsedQuiz[]> {
  const workbook = await readWorkbook(content);
  const sheet = workbook.worksheets[0];
  if (!sheet) throw new ImportFileError('file', 'the workbook has no sheet');
  const width = Math.max(TABLE_HEADER.length, sheet.columnCount);
  const rows: TableRow[] = [];
  sheet.eachRow({ includeEmpty: false }, (row, number) => {
    rows.push({ row: number, cells: Array.from({ length: width }, (_, i) => cellText(row.getCell(i + 1))) });
  });
  return quizzesFromTable(rows);
}
