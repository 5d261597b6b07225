// The thread image-decoder.ts starts for one image: decodes, re-encodes and thumbnails it, posts the result, ends.
import { parentPort, workerData } from 'node:worker_threads';
import { reencodeImage } from './process-image.js';
import { UnreadableImageError } from './unreadable-image.js';
import type { DecodeJob, DecodeReply } from './image-decoder.js';

const job = workerData as DecodeJob;
let reply: DecodeReply;
try {
  reply = { ok: true, image: await reencodeImage(Buffer.from(job.bytes.buffer, job.bytes.byteOffset, job.bytes.byteLength), job.thumbnailSize, job.limits) };
} catch (err) {
  reply = { ok: false, unreadable: err instanceof UnreadableImageError, message: (err as Error).message };
}
parentPort!.postMessage(reply);
