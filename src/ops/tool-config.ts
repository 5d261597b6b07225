import { ConfigError, inspectConfig, type Env, type LenientConfig } from '../config.js';
import { createLogger, type Logger } from '../lib/logger.js';

/**
 * The configuration for an operations tool: a malformed variable is an error, but the SECRET_KEY rule
 * is not applied, because a monitor must work where the app itself would refuse to start.
 */
export function loadToolConfig(env?: Env): LenientConfig {
  const { config, problems } = inspectConfig(env);
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

/** A logger that writes nothing: tools print their own report, and must not create LOG_DIR. */
export function createSilentLogger(): Logger {
  return createLogger({ LOG_LEVEL: 'silent', LOG_DIR: undefined }, 'ops');
}
