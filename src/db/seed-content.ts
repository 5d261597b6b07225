/**
 * The demo content of `npm run db:seed`, generated deterministically (a seeded PRNG), so every run
 * describes the same quizzes, posts, users and attempts and a second run finds nothing to add.
 */
import type { QuizDraft } from '../domain/quizzes.js';
import { slugify } from '../domain/slugs.js';
import { seededRandom } from '../lib/seeded-random.js';

const between = (random: () => number, min: number, max: number) => min + Math.floor(random() * (max - min + 1));

export const SEED_CATEGORIES: readonly { slug: string; name: string; topics: readonly string[] }[] = [
  { slug: 'geography', name: 'Geography', topics: ['World capitals', 'Rivers and lakes', 'Mountains of the world', 'Flags of Europe'] },
  { slug: 'history', name: 'History', topics: ['Ancient Rome', 'The Middle Ages', 'The Renaissance', 'The 20th century'] },
  { slug: 'science', name: 'Science', topics: ['The periodic table', 'Human anatomy', 'The solar system', 'Famous physicists'] },
  { slug: 'literature', name: 'Literature', topics: ['Russian classics', 'Shakespeare', 'Poetry', 'Fairy tales'] },
  { slug: 'cinema', name: 'Cinema', topics: ['Silent films', 'Animated films', 'Film directors', 'Movie quotes'] },
  { slug: 'music', name: 'Music', topics: ['Classical composers', 'Rock bands', 'Musical instruments', 'Opera'] },
  { slug: 'sports', name: 'Sports', topics: ['Olympic games', 'Football', 'Chess champions', 'Tennis'] },
  { slug: 'technology', name: 'Technology', topics: ['Programming languages', 'The internet', 'Inventions'] },
];

export const SEED_QUIZ_COUNT = 30;
export const SEED_POST_COUNT = 10;
export const SEED_USER_COUNT = 1000;
/** Seed users get Telegram ids from here up, far from real ones in a demo. */
export const SEED_TELEGRAM_ID_BASE = 7_000_000_000;

export interface SeedQuiz extends QuizDraft {
  slug: string;
}

/** The 30 demo quizzes, 5-20 questions of 3-4 options each, exactly one correct. */
export function seedQuizzes(): SeedQuiz[] {
  const topics = SEED_CATEGORIES.flatMap((c) => c.topics.map((topic) => ({ category: c.slug, topic })));
  return topics.slice(0, SEED_QUIZ_COUNT).map(({ category, topic }, index) => {
    const random = seededRandom(1000 + index);
    const questionCount = between(random, 5, 20);
    return {
      slug: slugify(topic),
      title: topic,
      description: `${questionCount} questions about ${topic.toLowerCase()}.`,
      category,
      questions: Array.from({ length: questionCount }, (_, q) => {
        const optionCount = between(random, 3, 4);
        const correct = between(random, 0, optionCount - 1);
        return {
          text: `${topic}: question ${q + 1}. Which answer is right?`,
          explanation: `Answer ${String.fromCharCode(65 + correct)} is the right one for question ${q + 1}.`,
          options: Array.from({ length: optionCount }, (_, o) => ({ text: `Answer ${String.fromCharCode(65 + o)}`, correct: o === correct })),
        };
      }),
    };
  });
}

export interface SeedPost {
  slug: string;
  title: string;
  body: string;
}

const POST_TITLES = [
  'Welcome to Quiz Bot',
  'How scoring works',
  'Ten tips for a perfect score',
  'New categories this month',
  'Behind the leaderboard',
  'Playing from Telegram',
  'Why we cache everything',
  'Quizzes for the classroom',
  'Our most difficult questions',
  'What comes next',
];

/** The 10 demo blog posts, in Markdown. */
export function seedPosts(): SeedPost[] {
  return POST_TITLES.slice(0, SEED_POST_COUNT).map((title, index) => ({
    slug: slugify(title),
    title,
    body:
      `# ${title}\n\nThis is demo post number ${index + 1}. It explains **${title.toLowerCase()}** in a few paragraphs.\n\n` +
      `- Play a quiz from the bot or the Mini App\n- Answer every question\n- Check your place on the leaderboard\n\n` +
      `Questions or ideas? Use the contact form.`,
  }));
}

const FIRST_NAMES = ['Anna', 'Boris', 'Chen', 'Dmitri', 'Elena', 'Farid', 'Greta', 'Hiro', 'Irina', 'Jonas', 'Kira', 'Leo', 'Maya', 'Nikolai', 'Olga', 'Pavel'];

export interface SeedUser {
  telegramId: bigint;
  username: string;
  firstName: string;
}

/** The 1,000 demo users. */
export function seedUsers(): SeedUser[] {
  return Array.from({ length: SEED_USER_COUNT }, (_, i) => ({
    telegramId: BigInt(SEED_TELEGRAM_ID_BASE + i + 1),
    username: `player${String(i + 1).padStart(4, '0')}`,
    firstName: FIRST_NAMES[i % FIRST_NAMES.length]!,
  }));
}

export interface SeedAttemptPlan {
  /** Index into the quizzes. */
  quiz: number;
  /** Days before the seed run. */
  ageDays: number;
  /** Per question answered (in order): whether the answer is correct. Shorter than the quiz when abandoned. */
  answers: boolean[];
  finished: boolean;
}

/** What one seed user played: 0-6 attempts, skill-dependent accuracy, a few abandoned. Deterministic per user. */
export function planAttempts(userIndex: number, quizQuestionCounts: readonly number[]): SeedAttemptPlan[] {
  const random = seededRandom(50_000 + userIndex);
  const skill = 0.3 + random() * 0.65;
  const count = between(random, 0, 6);
  return Array.from({ length: count }, () => {
    const quiz = between(random, 0, quizQuestionCounts.length - 1);
    const total = quizQuestionCounts[quiz]!;
    const finished = random() < 0.85;
    const answered = finished ? total : between(random, 0, total - 1);
    return { quiz, ageDays: random() * 30, finished, answers: Array.from({ length: answered }, () => random() < skill) };
  });
}
