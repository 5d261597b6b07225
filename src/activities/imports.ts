import path from 'node:path';
import { ApplicationFailure, Context } from '@temporalio/activity';
import type { ActivityDeps } from './index.js';
import type { Prisma } from '../generated/prisma/client.js';
import { AppError } from '../lib/errors.js';
import { createQuiz, type QuizDraft } from '../domain/quizzes.js';
import { parseImport, questionCount } from '../imports/parse.js';
import type { ImportFormat, ImportIssue, ParsedQuiz } from '../imports/types.js';

export interface ImportOutcome {
  status: 'done' | 'failed';
  quizzes: number;
  errors: number;
}

/** Category of the quizzes of a format that has none, when none was sent with the file. */
export const DEFAULT_IMPORT_CATEGORY = 'imported';

const toDraft = (quiz: ParsedQuiz, slug: string | undefined): QuizDraft => ({
  title: quiz.title.trim(),
  description: quiz.description?.trim(),
  category: quiz.category ?? DEFAULT_IMPORT_CATEGORY,
  slug,
  published: quiz.published,
  shuffle: quiz.shuffle,
  questions: quiz.questions.map((q) => ({
    text: q.text.trim(),
    explanation: q.explanation?.trim() || undefined,
    timeLimitS: q.timeLimitS,
    options: q.options.map((o) => ({ text: o.text.trim(), correct: o.correct })),
  })),
});

const asJson = (issues: ImportIssue[]) => JSON.stringify(issues);
/** Issues as Prisma's JSON input (plain objects, not the interface). */
const jsonIssues = (issues: ImportIssue[]) => issues.map(({ at, message }) => ({ at, message }));

export function createImportActivities(deps: ActivityDeps) {
  const { db, logger } = deps;
  const imports = db.prisma.quizImport;

  /** Marks quiz `index` handled and adds its questions to the progress, in the caller's transaction (or alone). */
  const markHandled = (tx: Prisma.TransactionClient, importId: number, index: number, questions: number, slug: string | null, issues: ImportIssue[]) =>
    tx.$executeRaw`
      UPDATE imports SET done = done + ${questions}, written = array_append(written, ${index}),
        quizzes = CASE WHEN ${slug}::text IS NULL THEN quizzes ELSE array_append(quizzes, ${slug}::text) END,
        errors = errors || ${asJson(issues)}::jsonb, updated_at = now()
      WHERE id = ${importId} AND NOT (${index} = ANY(written))`;

  /** Creates one valid quiz whole; an exported slug already taken gets a new one made from the title. */
  const writeQuiz = async (importId: number, index: number, quiz: ParsedQuiz): Promise<void> => {
    const handled = (tx: Prisma.TransactionClient, created: { slug: string }) => markHandled(tx, importId, index, quiz.questions.length, created.slug, []).then(() => undefined);
    try {
      await createQuiz(deps, toDraft(quiz, quiz.slug), { inTransaction: handled });
    } catch (err) {
      if (!(err instanceof AppError) || err.status !== 409) throw err;
      if (quiz.slug !== undefined) return writeQuiz(importId, index, { ...quiz, slug: undefined });
      await markHandled(db.prisma, importId, index, quiz.questions.length, null, [{ at: quiz.at, message: err.message }]);
    }
  };

  return {
    /**
     * Parses and validates an import's file, then (unless a dry run) creates each quiz without errors in its
     * own transaction, which also records its progress: a retried activity skips the quizzes already handled.
     * A file that cannot be read, or is over the limits, ends failed with nothing written.
     */
    async runImport(importId: number): Promise<ImportOutcome> {
      const row = await imports.findUnique({ where: { id: importId } });
      if (!row) throw ApplicationFailure.nonRetryable(`import ${importId} does not exist`, 'NotFound');
      const outcome = (status: 'done' | 'failed', errors: unknown): ImportOutcome => ({ status, quizzes: row.quizzes.length, errors: (errors as unknown[]).length });
      if (row.status === 'done' || row.status === 'failed') return outcome(row.status, row.errors);
      if (!row.content) {
        await imports.update({ where: { id: importId }, data: { status: 'failed', errors: [{ at: 'file', message: 'the file is missing' }] } });
        return { status: 'failed', quizzes: 0, errors: 1 };
      }
      const baseName = path.parse(row.fileName).name || 'Imported quiz';
      const result = await parseImport(row.format as ImportFormat, Buffer.from(row.content), { baseName, seed: importId, defaultCategory: row.category ?? DEFAULT_IMPORT_CATEGORY });
      if (result.fileErrors.length > 0) {
        logger.info({ importId, errors: result.fileErrors }, 'import refused');
        await imports.update({ where: { id: importId }, data: { status: 'failed', errors: jsonIssues(result.fileErrors), content: null } });
        return { status: 'failed', quizzes: 0, errors: result.fileErrors.length };
      }
      const parseErrors = result.quizzes.flatMap((q) => q.errors);
      if (row.status === 'pending') {
        await imports.update({ where: { id: importId }, data: { status: 'running', total: questionCount(result), errors: jsonIssues(parseErrors) } });
      }
      if (row.dryRun) {
        await imports.update({ where: { id: importId }, data: { status: 'done', done: questionCount(result), content: null } });
        return { status: 'done', quizzes: 0, errors: parseErrors.length };
      }
      for (const [index, quiz] of result.quizzes.entries()) {
        if (row.written.includes(index)) continue;
        if (quiz.errors.length > 0) await markHandled(db.prisma, importId, index, quiz.questions.length, null, []);
        else await writeQuiz(importId, index, quiz);
        Context.current().heartbeat({ quiz: index + 1, of: result.quizzes.length });
      }
      const done = await imports.update({ where: { id: importId }, data: { status: 'done', content: null } });
      return { status: 'done', quizzes: done.quizzes.length, errors: (done.errors as unknown[]).length };
    },

    /** Records a failure that outlasted every retry; a finished import stays as it ended. */
    async markImportFailed(importId: number, reason: string): Promise<void> {
      await db.prisma.$executeRaw`
        UPDATE imports SET status = 'failed', content = NULL, updated_at = now(),
          errors = errors || ${asJson([{ at: 'file', message: reason.slice(0, 1000) }])}::jsonb
        WHERE id = ${importId} AND status NOT IN ('done', 'failed')`;
    },
  };
}
