/**
 * The benchmark's reference servers, on the API's process model (a cluster primary forking workers on one port):
 * `koa` answers every request with a small JSON body from a bare Koa handler (the `baseline` scenario);
 * `bare` is Node's http module alone (the load generator's ceiling).
 * Usage: node --import tsx bench/lib/baseline-server.ts <koa|bare> <port> <workers>
 */
import cluster from 'node:cluster';
import http from 'node:http';
import Koa from 'koa';
import { workerExecArgv } from '../../src/api/cluster/v8-threads.js';

const [mode = 'koa', port = '0', workers = '1'] = process.argv.slice(2);
const BODY = { status: 'ok', items: [{ id: '1', title: 'Baseline' }] };

function serve(): void {
  const handler =
    mode === 'bare'
      ? (_req: http.IncomingMessage, res: http.ServerResponse) => {
          const json = JSON.stringify(BODY);
          res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(json) });
          res.end(json);
        }
      : new Koa()
          .use((ctx) => {
            ctx.body = BODY;
          })
          .callback();
  const server = http.createServer(handler);
  server.keepAliveTimeout = 65_000;
  server.listen(Number(port), '127.0.0.1');
  process.on('SIGTERM', () => server.close(() => process.exit(0)));
}

if (cluster.isPrimary) {
  // The V8 thread pool the API's workers get (API_V8_THREADS' default), so the process models match.
  cluster.setupPrimary({ execArgv: workerExecArgv(process.execArgv, { API_WORKERS: Number(workers), API_V8_THREADS: undefined }) });
  for (let i = 0; i < Number(workers); i += 1) cluster.fork();
  const stop = () => {
    for (const worker of Object.values(cluster.workers ?? {})) worker?.kill('SIGTERM');
    setTimeout(() => process.exit(0), 2000).unref();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
} else {
  serve();
}
