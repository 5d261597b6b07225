// The thread image-decoder.ts starts for one image: decodes, re-encodes and thumbnails it, posts the result, ends.
import os from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { reencodeImage } from './process-image.js';
import { UnreadableImageError } from './unreadable-image.js';
import { currentThreadId } from './thread-cpu.js';
import type { DecodeJob, DecodeMessage, DecodeReply } from './image-decoder.js';

const job = workerData as DecodeJob;
try {
  // On Linux this sets the calling thread only: the decode yields the CPU to the thread serving requests.
  if (job.nice > 0) os.setPriority(job.nice);
} catch {
  // not permitted or not supported here: decode at the inherited priority
}
// Everything is loaded (static imports run first): the decode's CPU budget starts now.
parentPort!.postMessage({ ready: true, threadId: currentThreadId() } satisfies DecodeMessage);
let reply: DecodeReply;
try {
  reply = { ok: true, image: await reencodeImage(Buffer.from(job.bytes.buffer, job.bytes.byteOffset, job.bytes.byteLength), job.thumbnailSize, job.limits) };
} catch (err) {
  reply = { ok: false, unreadable: err instanceof UnreadableImageError, message: (err as Error).message };
}
parentPort!.postMessage(reply);
