/** Names shared by the API, the worker and the CLIs: defined here once. */

import type * as workflows from '../workflows/index.js';

/** The workflow functions the worker registers (src/workflows/index.ts), by their names. */
export type Workflows = typeof workflows;
/** A workflow type: the name of an exported workflow function. */
export type WorkflowTypeName = keyof Workflows;
/** A workflow's input: its function's one parameter, so a renamed field is a compile error where work is started. */
export type WorkflowInput<W extends WorkflowTypeName> = Parameters<Workflows[W]>[0];
/** The input a caller supplies: the workflow's input without `tuning`, which startWorkflow adds from the configuration. */
export type WorkflowRequest<W extends WorkflowTypeName> = Omit<WorkflowInput<W>, 'tuning'>;

/** Workflow types as values (for the outbox's rows, filters and metrics); `satisfies` keeps them in step with src/workflows. */
export const WorkflowType = {
  sendEmail: 'sendEmail',
  contactForm: 'contactForm',
  processUpload: 'processUpload',
  generateOgImage: 'generateOgImage',
  cleanupSessions: 'cleanupSessions',
  refreshStats: 'refreshStats',
  pruneOutbox: 'pruneOutbox',
  importQuizzes: 'importQuizzes',
  groupGame: 'groupGame',
  stopGroupGame: 'stopGroupGame',
  telegramCommand: 'telegramCommand',
} as const satisfies { [W in WorkflowTypeName]: W };

/** Schedule ids as they appear in the Temporal Web UI and in /api/v1/admin/schedules/:id/trigger. */
export const ScheduleId = {
  cleanupSessions: 'cleanup-sessions',
  refreshStats: 'refresh-stats',
  pruneOutbox: 'prune-outbox',
} as const;
export type ScheduleIdName = (typeof ScheduleId)[keyof typeof ScheduleId];

/**
 * Outbox keys derived from the row a workflow acts on (enqueuing one twice keeps the first entry, so a retried write
 * cannot double its workflow). An entry's workflow runs under temporalWorkflowId; `email` is the id sendEmail runs
 * under when started directly, without the outbox.
 */
export const workflowIds = {
  email: (messageId: string) => `email-${messageId}`,
  contact: (contactId: number | string) => `contact-${contactId}`,
  upload: (uploadId: number | string) => `upload-${uploadId}`,
  ogImage: (subject: 'quiz' | 'post', id: number | string, version: number) => `og-${subject}-${id}-${version}`,
  importQuizzes: (importId: number | string) => `import-${importId}`,
  game: (gameId: number | string) => `game-${gameId}`,
  /** A stop request: from the API (one per game) or from a chat member's /stop (one per member and game). */
  gameStop: (gameId: number | string, telegramUserId?: number | string) => (telegramUserId === undefined ? `game-${gameId}-stop` : `game-${gameId}-stop-by-${telegramUserId}`),
  /** One per command update: the ingress writes it beside the (bot, update_id) dedupe row. */
  telegramCommand: (botId: bigint | string, updateId: number) => `tg-command-${botId}-${updateId}`,
} as const;

/**
 * The Temporal id of an outbox entry's workflow: the entry's key and its own random uid (outbox.uid, made at
 * insert), so the rows of a restored database, whose ids repeat, never meet an id Temporal has already run, and
 * every dispatch of one entry names the same workflow. Entries from before uids existed keep the bare key.
 */
export function temporalWorkflowId(entry: { workflowId: string; uid: string | null }): string {
  return entry.uid ? `${entry.workflowId}-${entry.uid}` : entry.workflowId;
}

/** Ids of the mails a contact message causes: they key the email idempotency records. */
export const contactEmailIds = {
  notify: (contactId: number | string) => `contact-${contactId}-notify`,
  confirm: (contactId: number | string) => `contact-${contactId}-confirm`,
} as const;

/** Postgres advisory lock held (per transaction) by the one outbox dispatcher polling at a time. */
export const OUTBOX_DISPATCHER_LOCK = 471_100_123;

/** Memo fields every workflow carries, for the Web UI and `npm run tasks`. */
export interface WorkflowMemo {
  requestId?: string;
  summary: string;
  /** Facts a workflow shows beside its summary (a game's chat, quiz and starter). */
  [field: string]: string | undefined;
}
