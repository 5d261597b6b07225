import type { LenientConfig } from '../config.js';
import { createActivities, type ActivityDeps } from '../activities/index.js';
import { WorkflowType } from '../temporal/constants.js';
import type { Logger } from '../lib/logger.js';

export interface RegisteredTypes {
  /** Workflow types the worker's bundle serves. */
  workflows: string[];
  /** Activity names the worker registers. */
  activities: string[];
  /** Names in WorkflowType (src/temporal/constants.ts) that src/workflows does not export: starting them would fail. */
  declaredNotExported: string[];
}

/**
 * The workflow types of the worker's bundle: the function exports of src/workflows/index.ts, which is
 * how Temporal resolves a workflow type. Workflow modules are deterministic and only define functions
 * when loaded (house rule), so importing them here runs no workflow and needs no server.
 */
export async function listWorkflowTypes(): Promise<string[]> {
  const workflows: Record<string, unknown> = await import('../workflows/index.js');
  return Object.keys(workflows)
    .filter((name) => typeof workflows[name] === 'function')
    .sort();
}

/**
 * A stand-in for a dependency while only the activities' names are wanted: property access is
 * fine (factories capture `db.prisma.x`), a call fails loudly, so nothing ever reaches a service.
 */
function nameOnlyStub(path: string): unknown {
  return new Proxy(function stub() {}, {
    get: (_, prop) => (prop === 'then' ? undefined : nameOnlyStub(`${path}.${String(prop)}`)),
    apply: () => {
      throw new Error(`${path}() was called while listing activity names; activity factories must not use their dependencies`);
    },
  });
}

/** The activity names the worker registers: the keys of createActivities(...), built without any service. */
export function listActivityNames(config: LenientConfig, logger: Logger): string[] {
  const real: Partial<ActivityDeps> = { config: { ...config, SECRET_KEY: config.SECRET_KEY ?? '' }, logger };
  const deps = new Proxy(real, {
    get: (target, prop: string) => (prop in target ? target[prop as keyof ActivityDeps] : nameOnlyStub(prop)),
  }) as ActivityDeps;
  return Object.keys(createActivities(deps)).sort();
}

/** Workflow types and activity names as the worker serves them, and declared types it does not. */
export async function listRegistered(config: LenientConfig, logger: Logger): Promise<RegisteredTypes> {
  const workflows = await listWorkflowTypes();
  return {
    workflows,
    activities: listActivityNames(config, logger),
    declaredNotExported: Object.values(WorkflowType).filter((name) => !workflows.includes(name)),
  };
}
