import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

/**
 * The allowed directions between the folders of src/ (docs/architecture.md, "Layering"). Imports are
 * read with a regular expression over `import ... from '...'`, `export ... from '...'`, `import '...'`
 * and `import('...')`; only relative ones name a file of src/.
 */

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));

export interface Import {
  /** The importing file, relative to src/ (`domain/games.ts`). */
  from: string;
  /** The imported file relative to src/ (`outbox/outbox.ts`), or the package specifier (`@temporalio/workflow`). */
  to: string;
  /** A relative import, that is a file of src/ (or outside it: `../..`). */
  local: boolean;
  /** `import type` / `export type`: erased at build time. */
  typeOnly: boolean;
}

const IMPORT = /(?:^|[\s;])(import|export)\s+(type\s+)?(?:[^'";]*?\s+from\s+)?['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

/** Every import of `source`, a file at `from` (relative to src/). */
export function importsOf(from: string, source: string): Import[] {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  return [...code.matchAll(IMPORT)].map((m) => {
    const specifier = (m[3] ?? m[4])!;
    const local = specifier.startsWith('.');
    const to = local ? path.posix.join(path.posix.dirname(from), specifier).replace(/\.js$/, '.ts') : specifier;
    return { from, to, local, typeOnly: m[2] !== undefined };
  });
}

function sourceFiles(dir: string, prefix = ''): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const relative = prefix + entry.name;
    if (entry.isDirectory()) return entry.name === 'generated' ? [] : sourceFiles(path.join(dir, entry.name), `${relative}/`);
    return /\.(ts|mts|tsx)$/.test(entry.name) && !entry.name.endsWith('.d.ts') ? [relative] : [];
  });
}

/** The first folder of a path relative to src/ (`domain`), or the file itself at the top (`config.ts`). */
const top = (file: string) => file.split('/')[0]!;

export interface Rule {
  name: string;
  /** True when the import breaks the rule. */
  forbids(i: Import): boolean;
}

/** The app's own folders and top-level modules, as opposed to lib/ (general helpers) and generated/ (Prisma's client). */
const isApp = (to: string) => !to.startsWith('lib/') && !to.startsWith('generated/') && to !== 'config.ts';

export const RULES: Rule[] = [
  {
    name: 'lib/ imports nothing of the app (only lib/, generated/ and the Config type)',
    forbids: (i) => i.local && top(i.from) === 'lib' && (isApp(i.to) || (i.to === 'config.ts' && !i.typeOnly)),
  },
  {
    name: 'domain/ imports nothing from api/, activities/, workflows/, worker/, cli/, app-deps.ts or infrastructure.ts',
    forbids: (i) => i.local && top(i.from) === 'domain' && ['api', 'activities', 'workflows', 'worker', 'cli', 'app-deps.ts', 'infrastructure.ts'].includes(top(i.to)),
  },
  {
    name: 'domain/ uses of temporal/ are the shared names (constants.ts) only; starting, scheduling and listing workflows is the outbox, the worker or the API',
    forbids: (i) => i.local && top(i.from) === 'domain' && top(i.to) === 'temporal' && i.to !== 'temporal/constants.ts',
  },
  {
    name: 'workflows/ import only @temporalio/workflow and their own folder (anything else as types only)',
    forbids: (i) => top(i.from) === 'workflows' && !i.typeOnly && (i.local ? top(i.to) !== 'workflows' : i.to !== '@temporalio/workflow'),
  },
  {
    name: 'api/ never imports worker/ or activities/',
    forbids: (i) => i.local && top(i.from) === 'api' && ['worker', 'activities'].includes(top(i.to)),
  },
  {
    name: 'outbox/ and temporal/ never import api/, domain/, activities/, workflows/ (types aside), worker/ or cli/',
    forbids: (i) => i.local && ['outbox', 'temporal'].includes(top(i.from)) && (['api', 'domain', 'activities', 'worker', 'cli'].includes(top(i.to)) || (top(i.to) === 'workflows' && !i.typeOnly)),
  },
  {
    name: 'nothing imports cli/ (entry points) except cli/ itself',
    forbids: (i) => i.local && top(i.to) === 'cli' && top(i.from) !== 'cli',
  },
];

/** `from -> to: rule` for every import of the given files that breaks a rule. */
export function violations(files: { from: string; source: string }[], rules = RULES): string[] {
  return files.flatMap(({ from, source }) => importsOf(from, source).flatMap((i) => rules.filter((r) => r.forbids(i)).map((r) => `${i.from} -> ${i.to}: ${r.name}`)));
}

const files = sourceFiles(SRC).map((from) => ({ from, source: readFileSync(path.join(SRC, from), 'utf8') }));

test('the import reader sees the files of src/', () => {
  assert.ok(files.length > 100, `${files.length} files`);
  const games = files.find((f) => f.from === 'domain/games.ts');
  assert.ok(games && importsOf(games.from, games.source).some((i) => i.to === 'outbox/outbox.ts'));
  // Every relative import names a file the reader found (or generated/, left out): the paths are read right.
  const known = new Set(files.map((f) => f.from));
  const unresolved = files
    .flatMap((f) => importsOf(f.from, f.source))
    .filter((i) => i.local && !i.to.startsWith('..') && !i.to.startsWith('generated/') && !known.has(i.to) && !known.has(`${i.to}.ts`))
    .map((i) => `${i.from} -> ${i.to}`);
  assert.deepEqual(unresolved, []);
});

test('every import of src/ goes in an allowed direction', () => {
  assert.deepEqual(violations(files), []);
});

test('a planted bad import of each kind is caught', () => {
  const planted = [
    { from: 'lib/text.ts', source: "import { listQuizzes } from '../domain/quizzes.js';" },
    { from: 'lib/text.ts', source: "import { loadConfig } from '../config.js';" },
    { from: 'domain/games.ts', source: "import type { AppDeps } from '../api/routes/index.js';" },
    { from: 'domain/games.ts', source: "import { startWorkflow } from '../temporal/start-workflow.js';" },
    { from: 'workflows/batches.ts', source: "import { createHash } from 'node:crypto';" },
    { from: 'workflows/batches.ts', source: "import { slugify } from '../domain/slugs.js';" },
    { from: 'api/routes/media.ts', source: "const m = await import('../../worker/runtime.js');" },
    { from: 'outbox/outbox.ts', source: "export { x } from '../domain/games.js';" },
    { from: 'worker/main.ts', source: "import '../cli/tasks.js';" },
  ];
  assert.equal(violations(planted).length, planted.length, violations(planted).join('\n'));
  // ...while the allowed ones pass.
  const allowed = [
    { from: 'domain/games.ts', source: "import { enqueueWorkflow } from '../outbox/outbox.js';\nimport { WorkflowType } from '../temporal/constants.js';" },
    { from: 'workflows/batches.ts', source: "import type { Activities } from '../activities/index.js';\nimport { proxyActivities } from '@temporalio/workflow';" },
    { from: 'lib/logger.ts', source: "import type { Config } from '../config.js';" },
  ];
  assert.deepEqual(violations(allowed), []);
});
