/**
 * The Schemathesis passes of `npm run fuzz` (test/fuzz/run.ts) and the command line of each.
 * Every pass checks each answer against the document (each operation alone, then chains of them along
 * links Schemathesis infers, e.g. a created quiz read back): no 5xx, a documented status, content type,
 * headers and body schema, and that routes needing credentials refuse requests without them.
 */
import { fileURLToPath } from 'node:url';

export interface Pass {
  name: string;
  /** Whose credentials the pass sends; `logout` is a session of its own, since signing out ends it. */
  role: 'anonymous' | 'user' | 'admin' | 'bot' | 'logout';
  /** Only these paths (exact), or every path but these. */
  include?: string[];
  exclude?: string[];
}

const LOGOUT = '/api/v1/auth/logout';

export const PASSES: Pass[] = [
  { name: 'anonymous', role: 'anonymous' },
  { name: 'user', role: 'user', exclude: [LOGOUT] },
  { name: 'admin', role: 'admin', exclude: [LOGOUT] },
  { name: 'bot', role: 'bot', include: ['/api/v1/auth/bot'] },
  { name: 'logout', role: 'logout', include: [LOGOUT] },
];

const CONFIG_FILE = fileURLToPath(new URL('./schemathesis.toml', import.meta.url));

/** Test cases per operation and phase; bounded so that CI's fuzz step stays within a few minutes. */
export const MAX_EXAMPLES = 25;

/** `st run` for one pass against the document at `schemaUrl`; `extra` arguments come last, so they win. */
export function schemathesisCommand(pass: Pass, schemaUrl: string, authorization: string | undefined, reportDir: string, extra: string[]): { command: string; args: string[] } {
  const args = [
    '--config-file',
    CONFIG_FILE,
    'run',
    schemaUrl,
    '--checks',
    'all',
    // `--checks all` overrides the config file's switches: see schemathesis.toml for why this one is off.
    '--exclude-checks',
    'ensure_resource_availability',
    '--phases',
    'examples,coverage,fuzzing,stateful',
    '--max-examples',
    String(MAX_EXAMPLES),
    // One worker: with two threads, Hypothesis's parallel ast.parse of lambda sources trips CPython 3.11's
    // "AST constructor recursion depth mismatch" now and then, a tool error that failed whole passes.
    '--workers',
    '1',
    '--seed',
    '14',
    '--generation-deterministic',
    '--no-color',
    '--report',
    'junit',
    '--report-dir',
    reportDir,
    '--request-timeout',
    '30',
  ];
  if (authorization) args.push('--header', `Authorization: ${authorization}`);
  for (const p of pass.include ?? []) args.push('--include-path', p);
  for (const p of pass.exclude ?? []) args.push('--exclude-path', p);
  return { command: 'st', args: [...args, ...extra] };
}
