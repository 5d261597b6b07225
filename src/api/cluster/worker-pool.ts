import { fork, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import type net from 'node:net';
import type { Logger } from '../../lib/logger.js';
import { isWorkerMessage, HTTP_WORKER_FLAG, type PrimaryMessage, type WorkerMessage } from './messages.js';

/** starting: booting; standby: ready, waiting to take over from its predecessor; active: gets connections; draining: retiring. */
export type Role = 'starting' | 'standby' | 'active' | 'draining';

export interface Member {
  readonly id: number;
  readonly child: ChildProcess;
  readonly slot: Slot;
  role: Role;
  readyAt?: number;
  startupS?: number;
  /** Connections it has asked for and not been sent yet. */
  credit: number;
  /** Its metrics are in the retired totals (final hand-over or exit): never count it live again. */
  accounted: boolean;
}

interface Slot {
  readonly index: number;
  current?: Member;
  next?: Member;
  crashes: number;
  restartTimer?: NodeJS.Timeout;
}

/** Why a worker is replaced on purpose (a crash is the other reason a worker goes). */
export type ReplaceReason = 'max_requests' | 'max_rss' | 'max_age';

/** A planned replacement: asked for, then in flight from its successor's fork until the old worker has exited. */
interface Replacement {
  readonly member: Member;
  readonly reason: ReplaceReason;
  /** The worker reached its request limit and holds new requests: hand over at once, warm successor or not. */
  retired: boolean;
  detail: Record<string, unknown>;
  successor?: Member;
}

export interface PoolEvents {
  message: [member: Member, message: WorkerMessage];
  /** A member is gone; `planned` when it retired or the pool is stopping. */
  exit: [member: Member, planned: boolean];
  replaced: [reason: ReplaceReason | 'crash'];
}

const MAX_QUEUED_CONNECTIONS = 10_000;
const MAX_HANDOVER_ATTEMPTS = 3;
/** A worker that served this long before crashing resets the crash backoff. */
const STABLE_MS = 10_000;
const MAX_BACKOFF_MS = 30_000;
/** A replacement whose successor died before serving is asked for again after this long. */
const RETRY_REPLACEMENT_MS = 5_000;

/**
 * API_WORKERS slots, each with an active HTTP worker (and, while it is being replaced, a successor).
 * Client connections are handed to active workers in turn; while none is active they wait here, so the
 * port never refuses a connection during a replacement. Planned replacements (request limit, RSS, age) go
 * one at a time, whatever their reasons: the next successor is forked only once the previous old worker
 * has exited and every slot serves, so a replacement never costs more than one worker's capacity and one
 * process start at a time.
 */
export class WorkerPool extends EventEmitter<PoolEvents> {
  private readonly slots: Slot[];
  private readonly members = new Map<number, Member>();
  private readonly queued: net.Socket[] = [];
  private nextId = 0;
  private turn = 0;
  private stopping = false;
  private inFlight?: Replacement;
  private readonly waiting: Replacement[] = [];

  constructor(
    size: number,
    private readonly script: string,
    private readonly logger: Logger,
    /** Node options of each worker (workerExecArgv); the primary's own by default. */
    private readonly execArgv: readonly string[] = process.execArgv,
  ) {
    super();
    this.slots = Array.from({ length: size }, (_, index) => ({ index, crashes: 0 }));
  }

  start(): void {
    for (const slot of this.slots) slot.current = this.fork(slot);
  }

  /** Members whose metrics are still live (ready and not yet handed over). */
  reporting(): Member[] {
    return [...this.members.values()].filter((m) => m.readyAt !== undefined && !m.accounted && m.child.connected);
  }

  counts(): Record<Role, number> & { queued: number } {
    const counts = { starting: 0, standby: 0, active: 0, draining: 0, queued: this.queued.length };
    for (const member of this.members.values()) counts[member.role] += 1;
    return counts;
  }

  send(member: Member, message: PrimaryMessage): void {
    if (member.child.connected) member.child.send(message, undefined, {}, () => undefined);
  }

  /** Hands a client connection to the next active worker that asked for one, or keeps it until one does. */
  dispatch(socket: net.Socket, attempt = 0): void {
    const active = [...this.members.values()].filter((m) => m.role === 'active' && m.credit > 0 && m.child.connected);
    if (attempt > MAX_HANDOVER_ATTEMPTS) {
      socket.destroy();
      return;
    }
    if (active.length === 0) {
      if (this.stopping || this.queued.length >= MAX_QUEUED_CONNECTIONS) socket.destroy();
      else this.queued.push(socket);
      return;
    }
    const member = active[(this.turn += 1) % active.length]!;
    member.credit -= 1;
    member.child.send({ type: 'connection' } satisfies PrimaryMessage, socket, {}, (err) => {
      // The worker went away between choosing it and handing over: try again (its exit is handled apart).
      if (err && !socket.destroyed) this.dispatch(socket, attempt + 1);
    });
  }

  /** Drains every worker; resolves once all have exited (stragglers are killed after `graceMs`). */
  async stop(graceMs: number): Promise<void> {
    this.stopping = true;
    this.waiting.splice(0);
    for (const socket of this.queued.splice(0)) socket.destroy();
    for (const slot of this.slots) clearTimeout(slot.restartTimer);
    const members = [...this.members.values()];
    const exited = members.map((m) => new Promise<void>((resolve) => m.child.once('close', () => resolve())));
    for (const member of members) {
      // One still booting may not listen for messages yet; SIGTERM ends it either way.
      if (member.role === 'starting') member.child.kill('SIGTERM');
      else this.send(member, { type: 'drain' });
      member.role = 'draining';
    }
    const killer = setTimeout(() => members.forEach((m) => m.child.kill('SIGKILL')), graceMs);
    await Promise.all(exited);
    clearTimeout(killer);
  }

  private fork(slot: Slot): Member {
    const child = fork(this.script, [HTTP_WORKER_FLAG], { execArgv: [...this.execArgv], stdio: 'inherit' });
    const member: Member = { id: (this.nextId += 1), child, slot, role: 'starting', credit: 0, accounted: false };
    this.members.set(member.id, member);
    child.on('message', (message: unknown) => {
      if (!isWorkerMessage(message)) return;
      if (message.type === 'ready') this.onReady(member, message.startupS);
      else if (message.type === 'credit') this.addCredit(member, message.count);
      else if (message.type === 'prepare') this.request(member, 'max_requests', false, {});
      else if (message.type === 'retire') this.request(member, 'max_requests', true, { requests: message.requests, limit: message.limit });
      else if (message.type === 'recycle') this.request(member, message.reason, false, { rssMb: message.rssMb, ageS: message.ageS });
      this.emit('message', member, message);
    });
    child.on('error', (err) => this.logger.error({ err, workerPid: child.pid }, 'api worker process error'));
    // 'close', not 'exit': it comes after the last IPC message (the final metrics) has been delivered.
    child.once('close', (code, signal) => this.onExit(member, code, signal));
    return member;
  }

  private onReady(member: Member, startupS: number): void {
    member.readyAt = Date.now();
    member.startupS = startupS;
    if (member.role !== 'starting') return;
    if (member.slot.current === member) this.activate(member);
    else member.role = 'standby';
    if (this.inFlight?.successor === member) this.handOver(this.inFlight);
  }

  private activate(member: Member): void {
    member.role = 'active';
    this.logger.info({ workerPid: member.child.pid, slot: member.slot.index, startupS: member.startupS }, 'api worker serving');
    this.flushQueue();
    this.startNextReplacement();
  }

  private addCredit(member: Member, count: number): void {
    member.credit += count;
    if (member.role === 'active') this.flushQueue();
  }

  /** Hands waiting connections out while some active worker has credit. */
  private flushQueue(): void {
    while (this.queued.length > 0 && [...this.members.values()].some((m) => m.role === 'active' && m.credit > 0)) {
      const socket = this.queued.shift()!;
      if (!socket.destroyed) this.dispatch(socket);
    }
  }

  /** Queues (or, for a worker already queued, updates) a planned replacement, and starts it if none is in flight. */
  private request(member: Member, reason: ReplaceReason, retired: boolean, detail: Record<string, unknown>): void {
    if (this.stopping || member.slot.current !== member || member.role !== 'active') return;
    const known = this.inFlight?.member === member ? this.inFlight : this.waiting.find((r) => r.member === member);
    const replacement = known ?? { member, reason, retired, detail };
    if (!known) this.waiting.push(replacement);
    if (retired && !replacement.retired) Object.assign(replacement, { retired, detail: { ...replacement.detail, ...detail } });
    if (this.inFlight === replacement) {
      if (retired && replacement.successor) this.handOver(replacement);
      return;
    }
    this.startNextReplacement();
    if (retired && this.inFlight !== replacement) {
      // Its turn comes later: no new connections meanwhile, and it answers what it holds instead of stalling it.
      member.credit = 0;
      this.send(member, { type: 'wait' });
    }
  }

  /** Forks the successor of the first waiting replacement, unless one is in flight or a slot is not serving. */
  private startNextReplacement(): void {
    if (this.inFlight || this.stopping) return;
    if (this.slots.some((s) => s.current?.role !== 'active')) return;
    let next = this.waiting.shift();
    while (next && (next.member.slot.current !== next.member || next.member.role !== 'active')) next = this.waiting.shift();
    if (!next) return;
    this.inFlight = next;
    const slot = next.member.slot;
    slot.next ??= this.fork(slot);
    next.successor = slot.next;
    this.logger.info({ workerPid: next.member.child.pid, successorPid: next.successor.child.pid, slot: slot.index, reason: next.reason, ...next.detail }, 'api worker replacing');
    if (next.retired || next.successor.role === 'standby') this.handOver(next);
  }

  /** The successor takes the slot (serving at once if warm) and the old worker stops getting connections and drains. */
  private handOver(replacement: Replacement): void {
    const { member, successor } = replacement;
    const slot = member.slot;
    if (!successor || slot.current !== member || member.role === 'draining') return;
    slot.current = successor;
    slot.next = undefined;
    member.role = 'draining';
    if (successor.role === 'standby') this.activate(successor);
    this.send(member, { type: 'drain' });
    const warm = successor.role === 'active';
    this.logger.info({ workerPid: member.child.pid, successorPid: successor.child.pid, slot: slot.index, reason: replacement.reason, warm, ...replacement.detail }, 'api worker replaced');
    this.emit('replaced', replacement.reason);
  }

  /** Ends the replacement in flight when its old worker is gone (or its successor died before taking over). */
  private settleReplacement(member: Member): void {
    const replacement = this.inFlight;
    if (!replacement) return;
    const { member: old, reason, detail } = replacement;
    let outcome: string;
    if (old === member) {
      outcome = member.role === 'draining' ? 'retired' : 'died';
    } else if (replacement.successor === member && old.role !== 'draining') {
      outcome = 'successor died before taking over; asked again later';
      setTimeout(() => this.request(old, reason, false, detail), RETRY_REPLACEMENT_MS).unref();
    } else {
      return;
    }
    this.inFlight = undefined;
    this.logger.info({ workerPid: old.child.pid, reason, outcome }, 'api worker replacement ended');
    this.startNextReplacement();
  }

  private onExit(member: Member, code: number | null, signal: NodeJS.Signals | null): void {
    this.members.delete(member.id);
    const slot = member.slot;
    const planned = this.stopping || member.role === 'draining';
    this.emit('exit', member, planned);
    if (slot.next === member) slot.next = undefined;
    if (!planned && slot.current === member) this.replaceDead(member, code, signal);
    this.settleReplacement(member);
  }

  /** An active (or starting) worker died: its successor takes over if there is one, else a new one after a backoff. */
  private replaceDead(member: Member, code: number | null, signal: NodeJS.Signals | null): void {
    const slot = member.slot;
    slot.current = undefined;
    const lived = member.readyAt === undefined ? 0 : Date.now() - member.readyAt;
    slot.crashes = lived >= STABLE_MS ? 1 : slot.crashes + 1;
    this.emit('replaced', 'crash');
    if (slot.next) {
      slot.current = slot.next;
      slot.next = undefined;
      if (slot.current.role === 'standby') this.activate(slot.current);
      this.logger.warn({ workerPid: member.child.pid, code, signal }, 'api worker died; its warm successor took over');
      return;
    }
    const delay = slot.crashes <= 1 ? 0 : Math.min(MAX_BACKOFF_MS, 500 * 2 ** (slot.crashes - 2));
    this.logger.warn({ workerPid: member.child.pid, code, signal, restartInMs: delay, crashes: slot.crashes }, 'api worker died; starting a new one');
    slot.restartTimer = setTimeout(() => {
      if (!this.stopping && !slot.current) slot.current = this.fork(slot);
    }, delay);
  }
}
