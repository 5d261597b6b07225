/**
 * Rows for the fuzz run to find: Schemathesis invents slugs and ids, which name nothing, so without these
 * the success answers of the read, answer and finish routes would never be checked against the document.
 * Each kind of value goes into a dictionary file that test/fuzz/schemathesis.toml binds to the
 * parameters naming it (with a probability, so invented values are still tried too).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { BOT_TOKEN } from '../helpers/api.js';

export interface Sessions {
  user: string;
  admin: string;
}

async function call<T>(url: string, method: string, token: string, body?: unknown): Promise<T> {
  const res = await fetch(url, {
    method,
    headers: { Authorization: token, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`fuzz seed: ${method} ${url}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** Creates a quiz, a post, attempts of the user and a contact message; writes their ids to `dir`. */
export async function seedFuzzData(base: string, sessions: Sessions, dir: string): Promise<void> {
  const admin = `Bearer ${sessions.admin}`;
  const user = `Bearer ${sessions.user}`;
  const questions = [1, 2, 3].map((n) => ({
    text: `Question ${n}`,
    options: [
      { text: 'right', correct: true },
      { text: 'wrong', correct: false },
    ],
  }));
  const quiz = await call<{ slug: string; questions: { id: string; options: { id: string }[] }[] }>(`${base}/api/v1/quizzes`, 'POST', admin, {
    title: 'Fuzz quiz',
    slug: 'fuzz-quiz',
    category: 'fuzz',
    published: true,
    questions,
  });
  const post = await call<{ slug: string }>(`${base}/api/v1/posts`, 'POST', admin, { title: 'Fuzz post', slug: 'fuzz-post', body: 'Hello', published: true });
  const attempts = await Promise.all([1, 2, 3].map(() => call<{ id: string }>(`${base}/api/v1/quizzes/${quiz.slug}/attempts`, 'POST', user)));
  const me = await call<{ id: string }>(`${base}/api/v1/me`, 'GET', user);
  const contact = await call<{ id: string }>(`${base}/api/v1/contact`, 'POST', `Bot ${BOT_TOKEN}`, { name: 'Fuzz', email: 'fuzz@example.com', message: 'Hello' });
  const dictionaries: Record<string, string[]> = {
    quizzes: [quiz.slug],
    posts: [post.slug],
    attempts: attempts.map((a) => a.id),
    questions: quiz.questions.map((q) => q.id),
    options: quiz.questions.flatMap((q) => q.options.map((o) => o.id)),
    users: [me.id],
    contacts: [contact.id],
  };
  mkdirSync(dir, { recursive: true });
  for (const [name, values] of Object.entries(dictionaries)) {
    writeFileSync(path.join(dir, `${name}.dict`), `${values.map((v) => JSON.stringify(v)).join('\n')}\n`);
  }
}
