import type { Logger } from '../../lib/logger.js';
import { ClusterMetrics } from '../../metrics/cluster-metrics.js';
import type { MetricsSnapshot } from '../../metrics/metrics.js';
import { PrimaryMetrics } from '../../metrics/primary-metrics.js';
import type { Member, WorkerPool } from './worker-pool.js';

/** A worker busier than this for one scrape is counted with its last snapshot. */
const COLLECT_TIMEOUT_MS = 5000;

/**
 * Answers a worker's `metrics-request` with the whole cluster's metrics: asks every live worker for a
 * snapshot and sums them with the retired totals and the primary's own metrics.
 */
export function gatherClusterMetrics(pool: WorkerPool, logger: Logger): void {
  const cluster = new ClusterMetrics();
  const primary = new PrimaryMetrics();
  const waiting = new Map<string, (snapshot: MetricsSnapshot) => void>();
  let nextId = 0;

  pool.on('replaced', (reason) => primary.replaced(reason));
  pool.on('exit', (member) => {
    if (!member.accounted) cluster.retire(member.id);
    member.accounted = true;
  });
  pool.on('message', (member, message) => {
    // A first snapshot as soon as it serves: a worker too busy to answer a scrape then still counts.
    if (message.type === 'ready') void collect(member, false);
    if (message.type === 'final-metrics') {
      cluster.retire(member.id, message.snapshot);
      member.accounted = true;
    } else if (message.type === 'metrics-snapshot') {
      cluster.remember(member.id, message.snapshot);
      waiting.get(`${member.id}:${message.id}`)?.(message.snapshot);
    } else if (message.type === 'metrics-request') {
      void render(member).then(
        (text) => pool.send(member, { type: 'metrics-response', id: message.id, text }),
        (err: unknown) => {
          logger.error({ err }, 'cluster metrics failed');
          pool.send(member, { type: 'metrics-response', id: message.id, error: 'cluster metrics failed' });
        },
      );
    }
  });

  const collect = (member: Member, outbox: boolean): Promise<void> => {
    const id = (nextId += 1);
    const key = `${member.id}:${id}`;
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, COLLECT_TIMEOUT_MS);
      function done() {
        clearTimeout(timer);
        waiting.delete(key);
        resolve();
      }
      waiting.set(key, done);
      pool.send(member, { type: 'metrics-collect', id, outbox });
    });
  };

  const render = async (requester: Member): Promise<string> => {
    const members = pool.reporting();
    await Promise.all(members.map((m) => collect(m, m === requester)));
    // Decided after every answer is in: a worker that handed over its totals meanwhile is counted there only.
    const live = members
      .filter((m) => !m.accounted)
      .map((m) => cluster.lastSnapshot(m.id))
      .filter((s) => s !== undefined);
    return cluster.render(live, await primary.snapshot(pool.counts()));
  };
}
