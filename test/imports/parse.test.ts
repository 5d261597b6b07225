import assert from 'node:assert/strict';
import fs from 'node:fs';
import { describe, test } from 'node:test';
import { parseImport } from '../../src/imports/parse.js';
import type { ImportFormat } from '../../src/imports/types.js';
import { escapeCell, unescapeCell } from '../../src/imports/cells.js';

const fixture = (name: string) => fs.readFileSync(new URL(`../fixtures/imports/${name}`, import.meta.url));
const parse = (format: ImportFormat, content: Buffer, seed = 1) => parseImport(format, content, { baseName: 'File name', seed, defaultCategory: 'imported' });
const shape = (q: { text: string; options: { text: string; correct: boolean }[] }) => ({ text: q.text, options: q.options.map((o) => `${o.correct ? '+' : '-'}${o.text}`) });

describe('import formats', () => {
  test('csv: quizzes grouped by their quiz cell, several correct options, explanation, time limit, quoted cells', async () => {
    const { quizzes, fileErrors } = await parse('csv', fixture('capitals.csv'));
    assert.deepEqual(fileErrors, []);
    assert.deepEqual(
      quizzes.map((q) => [q.title, q.questions.length, q.errors]),
      [
        ['Capitals of Europe', 3, []],
        ['Rivers', 1, []],
      ],
    );
    const [first, second, third] = quizzes[0]!.questions;
    assert.deepEqual(shape(first!), { text: 'What is the capital of France?', options: ['+Paris', '-Lyon', '-Marseille', '-Nice'] });
    assert.equal(first!.explanation, 'Paris has been the capital since 987.');
    assert.equal(first!.timeLimitS, 20);
    assert.deepEqual(shape(second!).options, ['+Rome', '-Milan', '+Madrid', '-Porto']);
    assert.deepEqual(shape(third!), { text: 'Capital of Germany, since 1990?', options: ['-Bonn', '+Berlin'] });
    assert.equal(quizzes[1]!.questions[0]!.explanation, 'Die Donau; "the blue one".');
  });

  test('csv: semicolon- and tab-separated files (Excel in most of Europe) read the same', async () => {
    for (const delimiter of [';', '\t']) {
      const content = Buffer.from(
        [
          ['quiz', 'question', 'option1', 'option2', 'option3', 'correct'],
          ['Q', 'Pick, please', 'a', 'b', 'c', '"1;3"'],
        ]
          .map((r) => r.join(delimiter))
          .join('\r\n'),
      );
      const { quizzes, fileErrors } = await parse('csv', content);
      assert.deepEqual(fileErrors, []);
      assert.deepEqual(quizzes[0]!.questions.map(shape), [{ text: 'Pick, please', options: ['+a', '-b', '+c'] }]);
    }
  });

  test('csv: each bad row is named by its row number and only its quiz is refused', async () => {
    const { quizzes } = await parse('csv', fixture('errors.csv'));
    assert.deepEqual(
      quizzes.map((q) => q.title),
      ['Broken quiz', 'Good quiz'],
    );
    assert.deepEqual(
      quizzes[0]!.errors.map((e) => e.at),
      ['row 2', 'row 3', 'row 2', 'row 3'],
    );
    assert.match(quizzes[0]!.errors[1]!.message, /correct 3 is not one of the 2 options/);
    assert.deepEqual(quizzes[1]!.errors, []);
  });

  test('csv: an unknown column and a row over the record limit are errors of the whole file', async () => {
    assert.deepEqual(
      (await parse('csv', Buffer.from('quiz,question,option1,option2,correct,colour\n'))).fileErrors.map((e) => e.at),
      ['row 1'],
    );
    const huge = Buffer.from(`quiz,question,option1,option2,correct\nQ,"${'x'.repeat(200_000)}",a,b,1\n`);
    const { fileErrors } = await parse('csv', huge);
    assert.equal(fileErrors.length, 1);
    assert.match(fileErrors[0]!.message, /longer than/);
  });

  test('gift: multiple choice with weights, escapes, missing word and feedback; other kinds are errors with their line', async () => {
    const { quizzes } = await parse('gift', fixture('astronomy.gift'));
    assert.equal(quizzes.length, 1);
    const quiz = quizzes[0]!;
    assert.equal(quiz.title, 'Astronomy');
    assert.deepEqual(quiz.questions.map(shape), [
      { text: 'Which planet is the largest?', options: ['+Jupiter', '-Saturn', '-Earth'] },
      { text: 'Which of these are gas giants?', options: ['+Jupiter', '+Saturn', '-Mars'] },
      { text: 'The Sun is a _____ in the Milky Way.', options: ['+star', '-planet', '-comet'] },
      { text: 'Escaped signs: 2 = 1 + 1?', options: ['+yes {really}', '-no'] },
    ]);
    assert.match(quiz.questions[0]!.explanation!, /twice as massive/);
    assert.deepEqual(
      quiz.errors.map((e) => e.at),
      ['line 21', 'line 23', 'line 25', 'line 30'],
    );
    assert.deepEqual(
      quiz.errors.map((e) => e.message.split(':')[0]),
      ['a true/false question', 'a short-answer question (only =answers)', 'a matching question', 'a numerical question'],
    );
  });

  test('aiken: letters with . or ), ANSWER lines; a wrong letter is named by its line', async () => {
    const { quizzes } = await parse('aiken', fixture('geography.aiken'));
    const quiz = quizzes[0]!;
    assert.equal(quiz.title, 'File name');
    assert.deepEqual(quiz.questions.slice(0, 2).map(shape), [
      { text: 'What is the longest river in Africa?', options: ['+Nile', '-Congo', '-Niger'] },
      { text: 'Which ocean is the largest?', options: ['-Atlantic', '-Indian', '+Pacific', '-Arctic'] },
    ]);
    assert.equal(quiz.errors[0]!.at, 'line 17');
    assert.match(quiz.errors[0]!.message, /ANSWER "E"/);
  });

  test('opentdb: entities decoded, one quiz per category, the correct answer not always first, the same order for the same seed', async () => {
    const { quizzes } = await parse('opentdb', fixture('opentdb.json'), 7);
    assert.deepEqual(
      quizzes.map((q) => [q.title, q.questions.length]),
      [
        ['Science: Computers', 3],
        ['Entertainment: Music', 1],
      ],
    );
    assert.equal(quizzes[0]!.questions[0]!.text, 'What does "HTML" stand for?');
    assert.equal(quizzes[0]!.questions[2]!.text, "Which of these is not a 'C' keyword: <int>, <char> & <string>?");
    assert.equal(quizzes[1]!.questions[0]!.text, 'Who wrote "Für Elise"?');
    const again = await parse('opentdb', fixture('opentdb.json'), 7);
    assert.deepEqual(
      again.quizzes.map((q) => q.questions.map(shape)),
      quizzes.map((q) => q.questions.map(shape)),
    );
    // Over many seeds the correct answer lands in every position: it is not left first.
    const positions = new Set<number>();
    for (let seed = 1; seed <= 40; seed++) {
      const { quizzes: qs } = await parse('opentdb', fixture('opentdb.json'), seed);
      positions.add(qs[0]!.questions[0]!.options.findIndex((o) => o.correct));
    }
    assert.deepEqual([...positions].sort(), [0, 1, 2, 3]);
  });

  test('kahoot: questions from row 9, columns B-H, several correct answers, time limits, bad rows named', async () => {
    const { quizzes, fileErrors } = await parse('kahoot', fixture('kahoot-bad-row.xlsx'));
    assert.deepEqual(fileErrors, []);
    const quiz = quizzes[0]!;
    assert.equal(quiz.title, 'File name');
    assert.deepEqual(quiz.questions.slice(0, 3).map(shape), [
      { text: 'What colour is the sky on a clear day?', options: ['+Blue', '-Green', '-Red', '-Yellow'] },
      { text: 'Which are even numbers?', options: ['+2', '-3', '+4', '-5'] },
      { text: 'True or false: water boils at 100 °C at sea level.', options: ['+True', '-False'] },
    ]);
    assert.deepEqual(
      quiz.questions.map((q) => q.timeLimitS),
      [20, 30, 10, 20],
    );
    assert.deepEqual(
      quiz.errors.map((e) => e.at),
      ['row 12', 'row 12'],
    );
  });

  test('json: the export shape, with a quiz of errors named by quiz and question', async () => {
    const { quizzes } = await parse('json', fixture('quizzes.json'));
    assert.equal(quizzes[0]!.slug, 'json-fixture-quiz');
    assert.equal(quizzes[0]!.shuffle, true);
    assert.deepEqual(quizzes[0]!.errors, []);
    assert.deepEqual(quizzes[1]!.errors, [{ at: 'quiz 2, question 1', message: '1 options: a question needs 2 to 10' }]);
    assert.deepEqual(
      (await parse('json', Buffer.from('{"quizzes": ['))).fileErrors.map((e) => e.at),
      ['file'],
    );
  });

  test('a file of more than 10,000 questions is refused whole', async () => {
    const rows = Array.from({ length: 10_001 }, (_, i) => `Quiz ${Math.floor(i / 100)},Question ${i},a,b,1`);
    const { quizzes, fileErrors } = await parse('csv', Buffer.from(['quiz,question,option1,option2,correct', ...rows].join('\n')));
    assert.deepEqual(quizzes, []);
    assert.match(fileErrors[0]!.message, /10001 questions: at most 10000/);
  });

  test('formula cells: escaped with a quote, and the escape taken off exactly once', () => {
    for (const text of ['=HYPERLINK("http://x")', '+1', '-1', '@SUM(A1)', '\tx', '\rx', "'=1", "'plain", 'plain', "it's"]) {
      assert.equal(unescapeCell(escapeCell(text)), text);
    }
    assert.equal(escapeCell('=1+1'), "'=1+1");
    assert.equal(escapeCell('plain'), 'plain');
  });
});
