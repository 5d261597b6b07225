/**
 * `npx tsx scripts/make-import-fixtures.ts`: writes the binary import fixtures of test/fixtures/imports (the text
 * ones are written by hand). kahoot.xlsx (and kahoot-bad-row.xlsx, the same with a fourth row whose correct answer is missing) follow Kahoot's question template: instructions above, a header row 8,
 * questions from row 9 in columns B-H (question, answers 1-4, time limit, correct answer(s) "1,3").
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ExcelJS from 'exceljs';

const DIR = fileURLToPath(new URL('../test/fixtures/imports/', import.meta.url));

async function writeKahoot(fileName: string, withBadRow: boolean): Promise<void> {
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet('Sheet1');
  sheet.getCell('B2').value = 'Quiz template';
  sheet.getCell('B3').value = 'Add questions, at least two answer alternatives, time limit and choose correct answers (at least one).';
  sheet.getRow(8).values = [
    '',
    'Question - max 120 characters',
    'Answer 1 - max 75 characters',
    'Answer 2 - max 75 characters',
    'Answer 3 - max 75 characters',
    'Answer 4 - max 75 characters',
    'Time limit (sec) – 5, 10, 20, 30, 60, 90, 120, or 240 secs',
    'Correct answer(s) - choose at least one',
  ];
  const questions: (string | number)[][] = [
    [1, 'What colour is the sky on a clear day?', 'Blue', 'Green', 'Red', 'Yellow', 20, '1'],
    [2, 'Which are even numbers?', '2', '3', '4', '5', 30, '1,3'],
    [3, 'True or false: water boils at 100 °C at sea level.', 'True', 'False', '', '', 10, '1'],
  ];
  if (withBadRow) questions.push([4, 'A row with a correct answer that is not there', 'Yes', 'No', '', '', 20, '3']);
  questions.forEach((values, i) => (sheet.getRow(9 + i).values = values));
  await workbook.xlsx.writeFile(path.join(DIR, fileName));
}

Promise.all([writeKahoot('kahoot.xlsx', false), writeKahoot('kahoot-bad-row.xlsx', true)]).catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
