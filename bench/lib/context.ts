import type { Child } from './children.js';
import type { LoadGenerator } from './load/types.js';
import type { BenchOptions } from './options.js';
import type { SmtpSink } from './smtp-sink.js';
import type { AppEnv } from './stack/services.js';
import type { BackgroundCpu } from './stack/background.js';
import type { FakeBotApi } from '../../src/dev/telegram-fake/server.js';

/** An HTTP API under test: its URL and, when the benchmark started it, its primary's pid. */
export interface ApiTarget {
  url: string;
  pid?: number;
  /** Stops it when the benchmark started it. */
  stop(): Promise<void>;
}

/** Everything a scenario may use; parts are missing when the benchmark was pointed at a given stack. */
export interface BenchContext {
  options: BenchOptions;
  generator: LoadGenerator;
  logDir: string;
  /** The environment the app's processes run with (missing with --api-url). */
  app?: AppEnv;
  botToken?: string;
  metricsToken?: string;
  /** The API with its cache on (the one every scenario but read-mix-nocache drives). */
  api: ApiTarget;
  /** Starts (or returns the given) API with CACHE_DISABLED=true. */
  nocacheApi?: () => Promise<ApiTarget>;
  smtp?: SmtpSink;
  /** The fake Bot API the app's TELEGRAM_API_ROOT points at (missing with --api-url). */
  telegram?: FakeBotApi;
  temporalAddress?: string;
  worker?: Child;
  /** Where background processes the benchmark starts go (missing with --api-url). */
  background?: BackgroundCpu;
}
