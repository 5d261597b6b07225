/**
 * HTTP/1.1 written by hand over a socket, for what fetch() and node:http refuse to send: repeated headers,
 * a body that stalls after its headers.
 *
 *   const conn = await openRaw(api.url);
 *   conn.write('POST /x HTTP/1.1\r\nHost: localhost\r\nContent-Length: 100\r\n\r\n{"a"');
 *   const answer = await conn.response(10_000);   // { status, headers, body } or undefined when none came in time
 */
import net from 'node:net';

export interface RawResponse {
  status: number;
  /** Lower-cased header names; repeated headers joined with ", ". */
  headers: Record<string, string>;
  body: string;
}

export interface RawConnection {
  write(text: string): void;
  /** The first response on the connection, once complete or closed; undefined if none started within `withinMs`. */
  response(withinMs: number): Promise<RawResponse | undefined>;
  close(): void;
}

export async function openRaw(baseUrl: string): Promise<RawConnection> {
  const { hostname, port } = new URL(baseUrl);
  const socket = net.connect(Number(port), hostname);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  let received = '';
  let closed = false;
  const changed: (() => void)[] = [];
  const notify = () => changed.splice(0).forEach((fn) => fn());
  socket.on('data', (chunk: Buffer) => {
    received += chunk.toString('utf8');
    notify();
  });
  socket.on('error', () => undefined);
  socket.on('close', () => {
    closed = true;
    notify();
  });

  const parse = (): RawResponse | undefined => {
    const end = received.indexOf('\r\n\r\n');
    if (end < 0) return undefined;
    const [statusLine, ...lines] = received.slice(0, end).split('\r\n');
    const headers: Record<string, string> = {};
    for (const line of lines) {
      const colon = line.indexOf(':');
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim();
      headers[name] = headers[name] ? `${headers[name]}, ${value}` : value;
    }
    const body = received.slice(end + 4);
    const length = Number(headers['content-length'] ?? NaN);
    if (!closed && (Number.isNaN(length) || Buffer.byteLength(body) < length)) return undefined;
    return { status: Number(statusLine!.split(' ')[1]), headers, body };
  };

  return {
    write: (text) => void socket.write(text),
    close: () => socket.destroy(),
    response: (withinMs) =>
      new Promise((resolve) => {
        const timer = setTimeout(() => resolve(undefined), withinMs);
        const check = () => {
          const answer = parse();
          if (answer || closed) {
            clearTimeout(timer);
            resolve(answer);
          } else changed.push(check);
        };
        check();
      }),
  };
}
