/**
 * Rows the tests need as they are, with sensible defaults: each call makes a new row with unique keys
 * (Telegram id, title, slug), and `overrides` set only what a test is about. Quizzes and posts go through
 * the domain's writes (so they get what a real write gets, cache invalidation included); users are plain rows.
 */
import type { Database } from '../../src/db/database.js';
import type { DataDeps } from '../../src/domain/deps.js';
import { createPost as writePost, type PostDraft } from '../../src/domain/posts.js';
import { createQuiz as writeQuiz, type QuizDraft } from '../../src/domain/quizzes.js';
import type { Post, Prisma, Quiz, User } from '../../src/generated/prisma/client.js';

let counter = 0;
/** Unique per call: the tests of one file share a database. */
const next = () => String(++counter);
let telegramIds = 0;

/** A user with a fresh Telegram id (above every id the API helpers use) and no names unless given. */
export async function createUser(db: Database, overrides: Partial<Prisma.UserUncheckedCreateInput> = {}): Promise<User> {
  telegramIds += 1;
  return db.prisma.user.create({ data: { telegramId: BigInt(800_000_000 + telegramIds), ...overrides } });
}

/** A published quiz of `general` with one two-option question (the first option correct), unless overridden. */
export async function createQuiz(deps: DataDeps, overrides: Partial<QuizDraft> = {}): Promise<Quiz> {
  const draft: QuizDraft = {
    title: `Factory quiz ${next()}`,
    category: 'general',
    questions: [
      {
        text: 'Two?',
        options: [
          { text: 'yes', correct: true },
          { text: 'no', correct: false },
        ],
      },
    ],
    ...overrides,
  };
  return (await writeQuiz(deps, draft)).quiz;
}

/** A published post with a one-line body, unless overridden. */
export async function createPost(deps: DataDeps, overrides: Partial<PostDraft> = {}): Promise<Post> {
  return (await writePost(deps, { title: `Factory post ${next()}`, body: 'Hello.', ...overrides })).post;
}
