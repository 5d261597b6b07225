import assert from 'node:assert/strict';
import { once } from 'node:events';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import Koa from 'koa';
import { drain, listen, serverLoad } from '../../src/api/http-server.js';

/** A server whose `/slow` answers when `release()` is called. */
async function startServer() {
  let release: () => void = () => undefined;
  const released = new Promise<void>((resolve) => (release = resolve));
  const app = new Koa();
  app.use(async (ctx) => {
    if (ctx.path === '/slow') await released;
    ctx.body = 'ok';
  });
  const server = await listen(app, { HOST: '127.0.0.1', PORT: 0, API_TIMEOUT_S: 10 });
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, release };
}

function get(agent: http.Agent, url: string): Promise<{ status: number; connection: string | undefined }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent }, (res) => {
        res.resume();
        res.once('end', () => resolve({ status: res.statusCode ?? 0, connection: res.headers.connection }));
      })
      .once('error', reject);
  });
}

test('drain lets an in-flight request finish, answering it with Connection: close', async () => {
  const { server, url, release } = await startServer();
  const agent = new http.Agent({ keepAlive: true });
  const inFlight = get(agent, `${url}/slow`);
  while (serverLoad(server).requests < 1) await sleep(10);
  const drained = drain(server, 10_000);
  release();
  assert.deepEqual(await inFlight, { status: 200, connection: 'close' });
  await drained;
  assert.equal(serverLoad(server).connections, 0);
  agent.destroy();
});

test('drain closes an idle keep-alive connection and refuses new ones', async () => {
  const { server, url } = await startServer();
  const agent = new http.Agent({ keepAlive: true });
  assert.deepEqual(await get(agent, `${url}/fast`), { status: 200, connection: 'keep-alive' });
  assert.equal(serverLoad(server).connections, 1);
  await drain(server, 2000);
  assert.equal(serverLoad(server).connections, 0);
  await assert.rejects(get(new http.Agent(), `${url}/fast`), { code: 'ECONNREFUSED' });
  agent.destroy();
});

test('drain leaves a connection that has not sent its first request yet to send it, and answers it', async () => {
  const { server } = await startServer();
  const port = (server.address() as AddressInfo).port;
  // As a connection the cluster primary has just handed over: open, its request not read yet.
  const socket = net.connect(port, '127.0.0.1');
  await once(socket, 'connect');
  while (serverLoad(server).connections < 1) await sleep(10);
  const drained = drain(server, 30_000); // idle connections are closed after 300 ms; the grace only bounds a stuck test
  await sleep(800);
  let answer = '';
  socket.on('data', (chunk: Buffer) => (answer += chunk.toString()));
  const closed = new Promise<Error | undefined>((resolve) => {
    socket.once('error', resolve);
    socket.once('close', () => resolve(undefined));
  });
  socket.write('GET /fast HTTP/1.1\r\nHost: localhost\r\n\r\n');
  assert.equal(await closed, undefined, 'the connection was not reset');
  assert.match(answer, /^HTTP\/1\.1 200 OK/);
  assert.match(answer, /\r\nConnection: close\r\n/i);
  await drained;
});
