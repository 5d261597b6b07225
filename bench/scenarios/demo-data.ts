/**
 * The keys the read and answer scenarios use (quiz slugs with their questions, post slugs, user ids), read
 * from the running API after `npm run db:seed`; what the seed did not provide is created through the API.
 */
export interface QuizKey {
  slug: string;
  category: string | null;
  questions: { id: string; optionIds: string[] }[];
}

export interface DemoKeys {
  quizzes: QuizKey[];
  categories: string[];
  posts: string[];
  userIds: string[];
  /** False while the leaderboard route has not landed. */
  leaderboard: boolean;
  /** What had to be created because the seed lacked it. */
  created: string[];
}

type Json = Record<string, unknown>;

/** JSON over HTTP against the API; throws on anything but the expected status. */
export async function call(baseUrl: string, method: string, path: string, options: { token?: string; bot?: string; body?: unknown; expect?: number[] } = {}): Promise<{ status: number; body: Json }> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.bot) headers.authorization = `Bot ${options.bot}`;
  const res = await fetch(`${baseUrl}${path}`, { method, headers, body: options.body === undefined ? undefined : JSON.stringify(options.body), signal: AbortSignal.timeout(30_000) });
  const text = await res.text();
  const body = (text ? JSON.parse(text) : {}) as Json;
  if (!(options.expect ?? [200, 201]).includes(res.status)) throw new Error(`${method} ${path}: ${res.status} ${text.slice(0, 300)}`);
  return { status: res.status, body };
}

/** A session for `telegramId` through the bot sign-in. */
export async function botSignIn(baseUrl: string, botToken: string, telegramId: number): Promise<{ token: string; userId: string }> {
  const { body } = await call(baseUrl, 'POST', '/api/v1/auth/bot', { bot: botToken, body: { telegramId, username: `bench${telegramId}` } });
  return { token: String(body.token), userId: String((body.user as Json).id) };
}

async function listAll(baseUrl: string, path: string, max: number): Promise<Json[]> {
  const items: Json[] = [];
  let cursor: string | null = null;
  do {
    const { body } = await call(baseUrl, 'GET', `${path}?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    items.push(...(body.items as Json[]));
    cursor = body.nextCursor as string | null;
  } while (cursor && items.length < max);
  return items;
}

function benchQuiz(i: number): Json {
  const questions = Array.from({ length: 10 }, (_, q) => ({
    text: `Question ${q + 1} of bench quiz ${i}: which option is right?`,
    explanation: 'Option A is right in every bench question.',
    options: ['A', 'B', 'C', 'D'].map((o) => ({ text: `Option ${o}`, correct: o === 'A' })),
  }));
  return { title: `Bench quiz ${i}`, description: 'Made by npm run bench', category: `bench-${i % 5}`, questions };
}

/** Reads the demo data; creates quizzes, posts and users through the API when fewer than `min` exist. */
export async function loadDemoKeys(baseUrl: string, auth: { botToken?: string; adminTelegramId?: number }, min = { quizzes: 20, posts: 10, users: 50 }): Promise<DemoKeys> {
  const created: string[] = [];
  const admin = auth.botToken && auth.adminTelegramId ? await botSignIn(baseUrl, auth.botToken, auth.adminTelegramId) : undefined;
  let quizList = await listAll(baseUrl, '/api/v1/quizzes', 500);
  if (quizList.length < min.quizzes && admin) {
    for (let i = quizList.length; i < min.quizzes; i += 1) await call(baseUrl, 'POST', '/api/v1/quizzes', { token: admin.token, body: benchQuiz(i) });
    created.push(`${min.quizzes - quizList.length} quizzes`);
    quizList = await listAll(baseUrl, '/api/v1/quizzes', 500);
  }
  const quizzes: QuizKey[] = [];
  for (const q of quizList.slice(0, 200)) {
    const { body } = await call(baseUrl, 'GET', `/api/v1/quizzes/${String(q.slug)}`);
    const questions = (body.questions as Json[]).map((qu) => ({ id: String(qu.id), optionIds: (qu.options as Json[]).map((o) => String(o.id)) }));
    quizzes.push({ slug: String(q.slug), category: (q.category as string | null) ?? null, questions });
  }
  let posts: string[] = [];
  const postRoute = await call(baseUrl, 'GET', '/api/v1/posts?limit=1', { expect: [200, 404] });
  if (postRoute.status === 200) {
    let list = await listAll(baseUrl, '/api/v1/posts', 200);
    if (list.length < min.posts && admin) {
      for (let i = list.length; i < min.posts; i += 1) {
        await call(baseUrl, 'POST', '/api/v1/posts', { token: admin.token, body: { title: `Bench post ${i}`, body: `# Bench post ${i}\n\n${'Some text of a blog post. '.repeat(40)}` } });
      }
      created.push(`${min.posts - list.length} posts`);
      list = await listAll(baseUrl, '/api/v1/posts', 200);
    }
    posts = list.map((p) => String(p.slug));
  }
  const board = await call(baseUrl, 'GET', '/api/v1/leaderboard?limit=100', { expect: [200, 404] });
  const userIds = board.status === 200 ? (board.body.items as Json[]).map((i) => String(i.userId)) : [];
  if (userIds.length < min.users && auth.botToken) {
    for (let i = userIds.length; i < min.users; i += 1) userIds.push((await botSignIn(baseUrl, auth.botToken, 880_000_000 + i)).userId);
    created.push(`${min.users} signed-in users`);
  }
  const categories = [...new Set(quizzes.map((q) => q.category).filter((c): c is string => !!c))];
  return { quizzes, categories, posts, userIds, leaderboard: board.status === 200, created };
}
