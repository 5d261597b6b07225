import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { CONFIG_VARIABLES, KNOWN_DEFAULT_SECRETS, loadConfig, type Env } from '../src/config.js';

// Docker cannot run here, so the compose files are checked as data: what compose would hand the app.
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const APP_SERVICES = ['api', 'worker', 'migrate'] as const;
const NPM_SCRIPTS = (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
const REQUIRED_SERVICES = ['postgres', 'redis', 'temporal', 'temporal-ui', ...APP_SERVICES];

interface Service {
  image?: string;
  build?: string | { context?: string; dockerfile?: string };
  command?: string | string[];
  environment?: Record<string, string | number | boolean | null> | string[];
  depends_on?: string[] | Record<string, { condition?: string }>;
  volumes?: (string | { source?: string; target: string })[];
  ports?: string[];
  restart?: string;
  healthcheck?: { test: string | string[] };
  deploy?: { resources?: { limits?: { cpus?: string; memory?: string } } };
}

function readCompose(file: string): { text: string; services: Record<string, Service> } {
  const text = readFileSync(path.join(root, file), 'utf8');
  return { text, services: (parse(text, { merge: true }) as { services: Record<string, Service> }).services };
}

function environmentOf(service: Service): Record<string, string> {
  const env = service.environment ?? {};
  if (Array.isArray(env)) return Object.fromEntries(env.map((e) => [e.split('=')[0]!, e.split('=').slice(1).join('=')]));
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v === null ? '' : String(v)]));
}

/** Compose's own interpolation with an empty shell environment: defaults apply, required values get a stand-in. */
function interpolate(value: string): string {
  return value.replace(/\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([^}]*))?\}/g, (match, name?: string, op?: string, arg?: string) => {
    if (match === '$$') return '$';
    if (op === ':-' || op === '-') return arg ?? '';
    if (op === ':?' || op === '?') return `required-${name}-${'x'.repeat(32)}`;
    return '';
  });
}

/** What the app process would see in its environment. */
function appEnv(service: Service): Env {
  return Object.fromEntries(Object.entries(environmentOf(service)).map(([k, v]) => [k, interpolate(v)]));
}

function dependsOn(service: Service): Record<string, string | undefined> {
  const deps = service.depends_on ?? [];
  if (Array.isArray(deps)) return Object.fromEntries(deps.map((d) => [d, undefined]));
  return Object.fromEntries(Object.entries(deps).map(([k, v]) => [k, v.condition]));
}

function commandText(service: Service): string {
  return Array.isArray(service.command) ? service.command.join(' ') : (service.command ?? '');
}

/** Host paths a service mounts, mapped from their container paths. */
function bindMounts(service: Service): Map<string, string> {
  const mounts = new Map<string, string>();
  for (const volume of service.volumes ?? []) {
    const [source, target] = typeof volume === 'string' ? volume.split(':') : [volume.source, volume.target];
    if (source?.startsWith('.') && target) mounts.set(target, path.resolve(root, source));
  }
  return mounts;
}

for (const file of ['docker-compose.yml', 'docker-compose.local-prod.yml']) {
  describe(file, () => {
    const { services } = readCompose(file);

    test('has every service the app needs', () => {
      for (const name of REQUIRED_SERVICES) assert.ok(services[name], `service ${name} is missing`);
    });

    test('runs Redis as a bounded LRU cache', () => {
      const command = commandText(services.redis!);
      assert.match(command, /--maxmemory-policy allkeys-lru/);
      assert.match(command, /--maxmemory 256mb/);
    });

    test('sets on api, worker and migrate only variables the app reads', () => {
      for (const name of APP_SERVICES) {
        const unknown = Object.keys(environmentOf(services[name]!)).filter((key) => !CONFIG_VARIABLES.includes(key));
        assert.deepEqual(unknown, [], `${name} sets variables src/config.ts does not read`);
      }
    });

    test('gives api, worker and migrate a configuration the app accepts', () => {
      for (const name of APP_SERVICES) {
        assert.doesNotThrow(() => loadConfig(appEnv(services[name]!)), `${name}'s environment is refused by loadConfig`);
      }
    });

    test('points the app at the database, Redis and Temporal services of this file', () => {
      for (const name of APP_SERVICES) {
        const config = loadConfig(appEnv(services[name]!));
        assert.equal(new URL(config.DATABASE_URL!).hostname, 'postgres', name);
        assert.equal(new URL(config.REDIS_URL!).hostname, 'redis', name);
        assert.equal(config.TEMPORAL_ADDRESS, 'temporal:7233', name);
      }
    });

    test('starts api and worker after migrations, the database and Temporal', () => {
      for (const name of ['api', 'worker']) {
        const deps = dependsOn(services[name]!);
        assert.equal(deps.migrate, 'service_completed_successfully', `${name} waits for migrate`);
        assert.equal(deps.postgres, 'service_healthy', `${name} waits for postgres`);
        assert.equal(deps.temporal, 'service_healthy', `${name} waits for temporal`);
      }
      assert.equal(dependsOn(services.migrate!).postgres, 'service_healthy');
      assert.match(commandText(services.migrate!), /npm run db:migrate/);
    });

    test('runs api and worker as their npm scripts do, from the dist/ the image builds', () => {
      // Not `npm run api`: its prebuild would write dist/ as the non-root user at every start.
      assert.equal(commandText(services.api!), NPM_SCRIPTS.api);
      assert.equal(commandText(services.worker!), NPM_SCRIPTS.worker);
      assert.match(NPM_SCRIPTS.api ?? '', /^node dist\//);
      const dockerfile = readFileSync(path.join(root, 'Dockerfile'), 'utf8');
      const build = dockerfile.indexOf('RUN npm run build');
      assert.ok(build > dockerfile.indexOf('COPY . .') && build < dockerfile.indexOf('USER node'), 'the Dockerfile builds dist/ from the sources, as root');
    });

    test('registers the namespace the app uses', () => {
      const creator = Object.values(services).find((s) => commandText(s).includes('create-namespace'));
      assert.ok(creator, 'no service creates the Temporal namespace');
      const namespace = loadConfig(appEnv(services.worker!)).TEMPORAL_NAMESPACE;
      assert.equal(environmentOf(creator).NAMESPACE ?? 'default', namespace);
    });

    test('serves the Temporal UI on 8080 against the temporal service', () => {
      const ui = services['temporal-ui']!;
      assert.match(ui.image ?? '', /^temporalio\/ui:/);
      assert.equal(environmentOf(ui).TEMPORAL_ADDRESS, 'temporal:7233');
      assert.ok(
        ui.ports?.some((p) => p.endsWith('8080:8080')),
        'port 8080 is not published',
      );
    });

    test('references only Dockerfiles, scripts and config files that exist', () => {
      for (const [name, service] of Object.entries(services)) {
        if (service.build !== undefined) {
          const build = typeof service.build === 'string' ? { context: service.build } : service.build;
          const dockerfile = path.resolve(root, build.context ?? '.', build.dockerfile ?? 'Dockerfile');
          assert.ok(existsSync(dockerfile), `${name}: ${dockerfile} does not exist`);
        }
        const mounts = bindMounts(service);
        for (const source of mounts.values()) assert.ok(existsSync(source), `${name}: ${source} does not exist`);
        const script = /^\/scripts\/\S+/.exec(commandText(service))?.[0];
        if (script) accessSync(path.join(mounts.get('/scripts')!, path.basename(script)), constants.R_OK);
        const dynamicConfig = environmentOf(service).DYNAMIC_CONFIG_FILE_PATH;
        if (dynamicConfig) {
          const host = mounts.get(`/etc/temporal/${path.dirname(dynamicConfig)}`);
          assert.ok(host && existsSync(path.join(host, path.basename(dynamicConfig))), `${name}: ${dynamicConfig} is not mounted`);
        }
      }
    });
  });
}

describe('docker-compose.local-prod.yml production settings', () => {
  const { text, services } = readCompose('docker-compose.local-prod.yml');

  test('turns DEBUG off on every app service', () => {
    for (const name of APP_SERVICES) assert.equal(environmentOf(services[name]!).DEBUG, 'false', name);
  });

  test('takes SECRET_KEY and passwords from the environment, never from the file', () => {
    for (const [name, service] of Object.entries(services)) {
      for (const [key, value] of Object.entries(environmentOf(service))) {
        if (/SECRET|PASSWORD|PWD|TOKEN|DSN/.test(key)) {
          assert.match(value, /^\$\{[A-Z_]+(:?\?[^}]*|:-)\}$/, `${name}.${key} holds a literal value`);
        }
        const credentials = /:\/\/[^:/@]+:([^@]+)@/.exec(value)?.[1];
        if (credentials) assert.match(credentials, /^\$\{[A-Z_]+:\?[^}]*\}$/, `${name}.${key} embeds a literal password`);
      }
    }
    assert.match(environmentOf(services.api!).SECRET_KEY ?? '', /^\$\{SECRET_KEY:\?/);
    for (const known of KNOWN_DEFAULT_SECRETS) assert.equal(text.includes(known), false, `contains ${known}`);
  });

  test('restarts, health-checks and limits the long-running services', () => {
    for (const name of ['postgres', 'redis', 'temporal', 'api', 'worker']) {
      const service = services[name]!;
      assert.equal(service.restart, 'unless-stopped', `${name} restart`);
      assert.ok(service.healthcheck, `${name} has no health check`);
      assert.ok(service.deploy?.resources?.limits?.memory, `${name} has no memory limit`);
    }
  });

  test('health-checks the API on /healthz with node, from an allowed host', () => {
    const check = [services.api!.healthcheck!.test].flat().join(' ');
    assert.match(check, /node -e .*127\.0\.0\.1.*\/healthz/);
    const config = loadConfig(appEnv(services.api!));
    assert.ok(config.ALLOWED_HOSTS.includes('127.0.0.1'), 'the health check would be refused by ALLOWED_HOSTS');
  });

  test('keeps LOG_DIR and MEDIA_DIR on volumes shared by api and worker', () => {
    for (const name of ['api', 'worker']) {
      const env = environmentOf(services[name]!);
      const targets = (services[name]!.volumes ?? []).map((v) => (typeof v === 'string' ? v.split(':')[1] : v.target));
      assert.ok(env.LOG_DIR && targets.includes(env.LOG_DIR), `${name}: LOG_DIR is not a volume`);
      assert.ok(env.MEDIA_DIR && targets.includes(env.MEDIA_DIR), `${name}: MEDIA_DIR is not a volume`);
    }
  });

  test('sets TRUST_PROXY explicitly', () => {
    assert.ok('TRUST_PROXY' in environmentOf(services.api!));
  });
});
