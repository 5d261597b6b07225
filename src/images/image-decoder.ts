import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';
import { checkDecodeSize, type DecodeLimits } from './decode-limits.js';
import type { ProcessedImage } from './process-image.js';
import { UnreadableImageError } from './unreadable-image.js';
import { threadCpuMs } from './thread-cpu.js';

/** What decode-worker.ts receives. */
export interface DecodeJob {
  bytes: Uint8Array;
  thumbnailSize: number;
  limits: DecodeLimits;
  nice: number;
}

/** What decode-worker.ts posts back (Buffers arrive as Uint8Arrays). */
export type DecodeReply = { ok: true; image: ProcessedImage } | { ok: false; unreadable: boolean; message: string };
/** `ready` once its code is loaded (with its Linux thread id, for its CPU time), then the reply. */
export type DecodeMessage = { ready: true; threadId: number | undefined } | DecodeReply;

export interface ImageDecoderOptions {
  limits: DecodeLimits;
  /** Decodes running at once in this process; the rest wait their turn. */
  concurrency: number;
  /**
   * CPU time a decode may use once its thread is ready (wall time where the thread's CPU time cannot be read):
   * past it the decode is stopped and the image counts as unreadable. A busy machine slows a decode, it does not
   * fail it; the caller bounds the wall time with `signal`.
   */
  timeoutMs: number;
  /** CPU niceness of the decode threads (0-19): in `npm start` they share the CPU with the API's event loop. */
  nice?: number;
}

export interface ImageDecoder {
  /** reencodeImage on its own thread: the caller's event loop stays free; `signal` drops or stops the decode. */
  reencode(bytes: Buffer, thumbnailSize: number, signal?: AbortSignal): Promise<ProcessedImage>;
  /** Decodes running now (not those waiting). */
  readonly running: number;
}

/** Loading jimp in a fresh thread takes about 0.5 s here, seconds under tsx or on a busy machine; this is a hang. */
const THREAD_START_TIMEOUT_MS = 30_000;
/** How often a running decode's CPU time is read (one small /proc read). */
const CPU_CHECK_MS = 100;

const EXTENSION = path.extname(fileURLToPath(import.meta.url));
/** decode-worker.js when running compiled (`npm run build`), decode-worker.ts under tsx. */
const WORKER_FILE = new URL(`./decode-worker${EXTENSION}`, import.meta.url);

/** A thread running decode-worker. Under tsx (tests, CLIs) its loader does not reach threads on Node 20: the thread loads it itself. */
function startDecodeThread(options: WorkerOptions): Worker {
  if (EXTENSION !== '.ts') return new Worker(WORKER_FILE, options);
  const [tsx, file] = [JSON.stringify(import.meta.resolve('tsx/esm/api')), JSON.stringify(WORKER_FILE.href)];
  return new Worker(`import(${tsx}).then(({ tsImport }) => tsImport(${file}, ${file}))`, { ...options, eval: true });
}

/** A Buffer over the Uint8Array a Buffer became in the message, without copying it. */
const asBuffer = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

/**
 * Runs image decoding off the event loop that serves requests and polls Temporal (one process in `npm start`).
 * Each image gets a fresh thread (loading jimp there costs about 0.5 s of CPU), so its memory goes when the
 * thread ends, and a hostile file cannot leave anything behind for the next one; the thread's V8 heap is capped by
 * `maxMemoryMb` and its bitmaps (outside the heap) by the size check made here before it starts. A decode past
 * `timeoutMs` of CPU is terminated (V8 stops even a tight loop).
 */
export function createImageDecoder(options: ImageDecoderOptions): ImageDecoder {
  let running = 0;
  const waiting: Array<() => void> = [];

  const acquire = (signal?: AbortSignal): Promise<void> => {
    if (running < options.concurrency) {
      running += 1;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const start = () => {
        signal?.removeEventListener('abort', cancel);
        running += 1;
        resolve();
      };
      const cancel = () => {
        waiting.splice(waiting.indexOf(start), 1);
        reject(signal?.reason);
      };
      waiting.push(start);
      signal?.addEventListener('abort', cancel, { once: true });
    });
  };
  const release = () => {
    running -= 1;
    waiting.shift()?.();
  };

  const decodeOnThread = (job: DecodeJob, signal?: AbortSignal) =>
    new Promise<ProcessedImage>((resolve, reject) => {
      const worker = startDecodeThread({
        workerData: job,
        resourceLimits: { maxOldGenerationSizeMb: job.limits.maxMemoryMb, maxYoungGenerationSizeMb: 64 },
      });
      let settled = false;
      let cpuCheck: NodeJS.Timeout | undefined;
      const settle = (outcome: () => void) => {
        if (settled) return;
        settled = true;
        clearTimeout(startDeadline);
        clearInterval(cpuCheck);
        signal?.removeEventListener('abort', abort);
        // Answered once the thread is gone: its memory is back and its concurrency slot may be given on.
        void worker.terminate().finally(outcome);
      };
      // Loading the thread's code does not depend on the image: its own deadline, and failing it is worth a retry.
      const startDeadline = setTimeout(() => {
        settle(() => reject(new Error(`the image decoder did not start within ${THREAD_START_TIMEOUT_MS / 1000} s`)));
      }, THREAD_START_TIMEOUT_MS);
      const abort = () => settle(() => reject(signal?.reason));
      signal?.addEventListener('abort', abort, { once: true });
      const watchCpu = (threadId: number | undefined) => {
        const readyAt = Date.now();
        const cpuAtReady = threadId === undefined ? undefined : threadCpuMs(threadId);
        cpuCheck = setInterval(() => {
          const cpuNow = threadId === undefined ? undefined : threadCpuMs(threadId);
          const spent = cpuAtReady !== undefined && cpuNow !== undefined ? cpuNow - cpuAtReady : Date.now() - readyAt;
          if (spent <= options.timeoutMs) return;
          settle(() => reject(new UnreadableImageError(`image took more than ${options.timeoutMs / 1000} s of CPU to decode`)));
        }, CPU_CHECK_MS);
      };
      worker.on('message', (message: DecodeMessage) => {
        if ('ready' in message) {
          clearTimeout(startDeadline);
          watchCpu(message.threadId);
          return;
        }
        settle(() => {
          if (message.ok) resolve({ ...message.image, original: asBuffer(message.image.original), thumbnail: asBuffer(message.image.thumbnail) });
          else reject(message.unreadable ? new UnreadableImageError(message.message) : new Error(message.message));
        });
      });
      worker.once('error', (err: NodeJS.ErrnoException) =>
        settle(() => {
          if (err.code === 'ERR_WORKER_OUT_OF_MEMORY') reject(new UnreadableImageError(`image too large: decoding it needs more than ${job.limits.maxMemoryMb} MB`));
          else reject(err);
        }),
      );
      worker.once('exit', (code) => settle(() => reject(new Error(`the image decoder exited with code ${code} before answering`))));
    });

  return {
    get running() {
      return running;
    },
    async reencode(bytes, thumbnailSize, signal) {
      // On this thread: the headers alone refuse a bomb (a 29-byte GIF) before a thread is started for it.
      checkDecodeSize(bytes, options.limits);
      signal?.throwIfAborted();
      await acquire(signal);
      try {
        return await decodeOnThread({ bytes, thumbnailSize, limits: options.limits, nice: options.nice ?? 0 }, signal);
      } finally {
        release();
      }
    },
  };
}
