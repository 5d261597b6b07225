import { ConfigError, loadConfig, secretKeyProblem, KNOWN_DEFAULT_SECRETS, type Env, type LenientConfig } from '../../config.js';
import type { CheckOutcome } from './types.js';

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);
const pass = (reason: string) => ({ ok: true, reason });
const fail = (reason: string) => ({ ok: false, reason });

/** Whether the API and worker would start with this environment at all (loadConfig is what they run). */
export function checkConfigLoads(env: Env | undefined): CheckOutcome {
  try {
    loadConfig(env);
    return pass('every variable parses and loadConfig accepts it');
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return fail(`the api and worker would refuse to start: ${err.problems.join('; ')}`);
  }
}

export function checkDebugOff(config: LenientConfig): CheckOutcome {
  return config.DEBUG ? fail('DEBUG is on: SQL logging, debug headers and cookies without Secure') : pass('DEBUG=false');
}

export function checkSecretKey(config: LenientConfig): CheckOutcome {
  const secret = config.SECRET_KEY;
  if (!secret) return fail('SECRET_KEY is unset');
  const problem = secretKeyProblem(secret);
  if (!problem) return pass(`set, ${secret.length} characters, not a known default`);
  const known = KNOWN_DEFAULT_SECRETS.find((s) => secret.includes(s));
  return fail(`SECRET_KEY ${problem} (${secret.length} characters${known ? `, contains the published default "${known}"` : ''})`);
}

export function checkAllowedHosts(config: LenientConfig): CheckOutcome {
  const hosts = config.ALLOWED_HOSTS;
  if (hosts.length === 0) return fail('ALLOWED_HOSTS is empty: every request would be refused');
  const wildcard = hosts.find((h) => h.includes('*'));
  if (wildcard) return fail(`ALLOWED_HOSTS contains "${wildcard}": any Host header would be accepted`);
  if (hosts.every((h) => LOCAL_HOSTS.has(h))) return fail(`only local hosts (${hosts.join(', ')}): set the public host names`);
  return pass(hosts.join(', '));
}

export function checkTls(config: LenientConfig): CheckOutcome {
  const url = config.PUBLIC_URL;
  if (url?.startsWith('http://')) return fail(`PUBLIC_URL is ${url}: links and redirects would use plain HTTP`);
  if (url?.startsWith('https://')) return pass(`PUBLIC_URL is ${url}${config.TRUST_PROXY ? ', TRUST_PROXY=true' : ''}`);
  if (config.TRUST_PROXY) return pass('TRUST_PROXY=true: TLS ends at the proxy, which sets X-Forwarded-Proto');
  return fail('neither TRUST_PROXY=true nor an https PUBLIC_URL: nothing says TLS is in front of the API');
}

export function checkSecureCookies(config: LenientConfig): CheckOutcome {
  return config.DEBUG ? fail('DEBUG is on, so the sid cookie is sent without Secure') : pass('the sid cookie carries Secure (DEBUG off)');
}
