/**
 * Quiz imports: a stored file and the importQuizzes workflow that reads it (enqueued in the same transaction,
 * so an accepted file is never lost), and the import as GET /admin/imports/:id shows it.
 */
import type { Database } from '../db/database.js';
import type { Prisma, QuizImport } from '../generated/prisma/client.js';
import { enqueueWorkflow, type OutboxRef } from '../outbox/outbox.js';
import { WorkflowType, workflowIds } from '../temporal/constants.js';
import type { ImportFormat, ImportIssue } from '../imports/types.js';

export interface NewImport {
  format: ImportFormat;
  category?: string | undefined;
  dryRun: boolean;
  fileName: string;
  content: Buffer;
  createdBy: number;
  requestId?: string | undefined;
}

/** Stores the file with the outbox entry of its workflow (one transaction); its commit wakes the dispatcher. */
export async function storeImport(db: Database, input: NewImport): Promise<{ quizImport: QuizImport; entry: OutboxRef }> {
  return db.prisma.$transaction(async (tx) => {
    const row = await tx.quizImport.create({
      data: {
        format: input.format,
        category: input.category ?? null,
        dryRun: input.dryRun,
        fileName: input.fileName,
        content: new Uint8Array(input.content),
        createdBy: input.createdBy,
        requestId: input.requestId ?? null,
      },
    });
    const entry = await enqueueWorkflow(tx, {
      workflowType: WorkflowType.importQuizzes,
      workflowId: workflowIds.importQuizzes(row.id),
      input: { importId: row.id },
      summary: `Import ${input.dryRun ? '(dry run) ' : ''}${input.format} file ${row.id} (${input.fileName})`,
      requestId: input.requestId,
    });
    return { quizImport: row, entry };
  });
}

export interface ImportView {
  id: string;
  status: QuizImport['status'];
  format: string;
  dryRun: boolean;
  progress: { done: number; total: number };
  quizzes: string[];
  errors: ImportIssue[];
  createdAt: string;
  updatedAt: string;
}

/** An import as API.md shows it. */
export function presentImport(row: Omit<QuizImport, 'content'>): ImportView {
  return {
    id: String(row.id),
    status: row.status,
    format: row.format,
    dryRun: row.dryRun,
    progress: { done: row.done, total: row.total },
    quizzes: row.quizzes,
    errors: row.errors as unknown as ImportIssue[],
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** Columns of an import without its file's bytes (a status read never loads up to 5 MiB). */
export const importWithoutContent = {
  id: true,
  format: true,
  category: true,
  dryRun: true,
  fileName: true,
  createdBy: true,
  status: true,
  done: true,
  total: true,
  quizzes: true,
  written: true,
  errors: true,
  requestId: true,
  createdAt: true,
  updatedAt: true,
} satisfies Prisma.QuizImportSelect;
