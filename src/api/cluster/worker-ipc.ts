import { isPrimaryMessage, HTTP_WORKER_FLAG, type WorkerMessage } from './messages.js';

const METRICS_TIMEOUT_MS = 15_000;

let nextId = 0;
let listening = false;
const waiting = new Map<number, { resolve: (text: string) => void; reject: (err: Error) => void }>();

/** True in an HTTP worker forked by the API primary (src/api/cluster.ts), false in a single-process server. */
export function isHttpWorker(): boolean {
  return typeof process.send === 'function' && process.argv.includes(HTTP_WORKER_FLAG);
}

/** Sends a message to the primary; false when the channel is gone. */
export function sendToPrimary(message: WorkerMessage, callback?: (err: Error | null) => void): boolean {
  if (!process.connected || !process.send) return false;
  return process.send(message, undefined, {}, (err) => callback?.(err));
}

/** The whole cluster's metrics in Prometheus text, summed by the primary. */
export function requestClusterMetrics(): Promise<string> {
  listenForResponses();
  const id = (nextId += 1);
  return new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      waiting.delete(id);
      reject(new Error('the API primary did not answer with the cluster metrics'));
    }, METRICS_TIMEOUT_MS);
    waiting.set(id, {
      resolve: (text) => (clearTimeout(timer), resolve(text)),
      reject: (err) => (clearTimeout(timer), reject(err)),
    });
    if (!sendToPrimary({ type: 'metrics-request', id })) waiting.get(id)?.reject(new Error('no channel to the API primary'));
  });
}

function listenForResponses(): void {
  if (listening) return;
  listening = true;
  process.on('message', (message: unknown) => {
    if (!isPrimaryMessage(message) || message.type !== 'metrics-response') return;
    const request = waiting.get(message.id);
    waiting.delete(message.id);
    if (message.text !== undefined) request?.resolve(message.text);
    else request?.reject(new Error(message.error ?? 'no metrics'));
  });
}
