import type { Socket } from 'node:net';

/** How long a connection answered early keeps reading (and discarding) what the client still sends. */
export const LINGER_MS = 2_000;

/**
 * An early answer (a 413 while the client is still sending its body) ends with `Connection: close`, and Node
 * then closes the socket as soon as the answer is written. Bytes the client sends after that make the kernel
 * reset the connection, and a reset discards whatever the client had not read yet: the client sees EPIPE or
 * ECONNRESET instead of the 413. Like nginx's lingering close, this half-closes the socket instead and keeps
 * draining for at most `lingerMs`, so the client reads the answer and stops; then the socket is closed.
 */
export function lingerOnClose(socket: Socket, lingerMs = LINGER_MS): void {
  if (socket.destroyed) return;
  socket.destroySoon = function lingeringDestroySoon(this: Socket) {
    const timer = setTimeout(() => this.destroy(), lingerMs).unref();
    this.once('close', () => clearTimeout(timer));
    this.once('end', () => this.destroy()); // the client finished (or gave up) sending
    this.on('error', () => this.destroy());
    this.end();
    this.resume();
  };
}
