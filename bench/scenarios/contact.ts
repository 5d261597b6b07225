/**
 * `contact`: POST /api/v1/contact at a fixed rate (bench/lib/load/paced.ts: evenly spaced, open loop, from its
 * own process) from many client addresses (X-Forwarded-For, the API trusting its proxy), then the time until
 * both mails of every accepted message (notify + confirm, by Message-ID) reached the benchmark's SMTP server.
 * The burst is shorter than the other scenarios' windows (--contact-s): every post becomes a workflow, and the
 * mails are awaited until the last one arrives.
 */
import type { BenchContext } from '../lib/context.js';
import { startPacedGenerator, type PacedResult } from '../lib/load/paced.js';
import type { LoadResult, LoadSpec } from '../lib/load/types.js';
import { fillResult, measureLoad } from '../lib/measure.js';
import { machineLoad } from '../lib/proc-sampler.js';
import { emptyResult, type ScenarioResult } from '../lib/result.js';
import { summarize } from '../lib/stats.js';
import { messageIdFor } from '../../src/domain/email.js';
import { contactEmailIds } from '../../src/temporal/constants.js';

export async function runContact(ctx: BenchContext): Promise<ScenarioResult> {
  const rate = ctx.options.contactRate;
  const mailWaitMs = ctx.options.quick ? 120_000 : 180_000;
  const result = emptyResult('contact', `POST /api/v1/contact at ${rate} req/s for ${ctx.options.contactS} s, evenly spaced, each from its own client address; then every mail awaited`, machineLoad().loadAvg1);
  const accepted = new Map<string, number>(); // contact id → time of the 202
  let statuses: Record<string, number> = {}; // of the measured window's answers
  let seq = 1;
  let lastPaced: PacedResult | undefined;
  const generator = startPacedGenerator();
  const run = async (spec: LoadSpec): Promise<LoadResult> => {
    const paced = await generator.run({ baseUrl: spec.baseUrl, rate, durationS: spec.durationS, firstSeq: seq });
    seq += paced.sent;
    statuses = paced.statuses;
    for (const [id, at] of paced.accepted) accepted.set(id, at);
    lastPaced = paced;
    const ok = paced.statuses['202'] ?? 0;
    return {
      generator: `paced Node.js generator (${rate}/s, open loop)`,
      requests: paced.sent,
      durationS: paced.durationS,
      rps: paced.sent / paced.durationS,
      latency: paced.latency,
      httpErrors: paced.sent - ok - paced.socketErrors,
      socketErrors: paced.socketErrors,
    };
  };
  const options = { ...ctx.options, durationS: ctx.options.contactS, warmupS: Math.min(ctx.options.warmupS, 2) };
  const measured = await measureLoad({ ...ctx, options }, { baseUrl: ctx.api.url, connections: ctx.options.connections, requests: [] }, { pid: ctx.api.pid, metricsUrl: `${ctx.api.url}/metrics` }, run).finally(() =>
    generator.close(),
  );
  fillResult(result, measured);
  if (lastPaced) {
    const service = lastPaced.serviceLatency;
    result.notes.push(`from the moment each post was sent (not due): p50 ${service.p50.toFixed(1)} ms, p99 ${service.p99.toFixed(1)} ms; ${lastPaced.lateStarts} posts left the generator more than 5 ms late`);
    result.notes.push(`p99 of each second's posts: ${lastPaced.p99BySecond.map((v) => (v === null ? '-' : v.toFixed(0))).join(', ')} ms`);
  }
  const postedUntil = Date.now();
  const statusText = Object.entries(statuses)
    .map(([code, count]) => `${count}×${code}`)
    .join(' ');
  result.notes.push(`answers in the measured window: ${statusText || 'none'}`);
  result.extra = { accepted: accepted.size };
  if (!ctx.smtp || !ctx.app) {
    result.notes.push("mail delivery not measured: the API does not send to the benchmark's SMTP server");
    return result;
  }
  const mails = [...accepted].flatMap(([id, at]) => [contactEmailIds.notify(id), contactEmailIds.confirm(id)].map((m) => ({ messageId: messageIdFor(m, ctx.app!.mailDomain), at })));
  const all = await ctx.smtp.waitFor(
    mails.map((m) => m.messageId),
    mailWaitMs,
  );
  const arrived = mails.filter((m) => ctx.smtp!.arrivals.has(m.messageId));
  const last = Math.max(postedUntil, ...arrived.map((m) => ctx.smtp!.arrivals.get(m.messageId)![0]!));
  const delays = summarize(arrived.map((m) => ctx.smtp!.arrivals.get(m.messageId)![0]! - m.at));
  result.extra = {
    accepted: accepted.size,
    mailsExpected: mails.length,
    mailsDelivered: arrived.length,
    duplicates: arrived.filter((m) => ctx.smtp!.arrivals.get(m.messageId)!.length > 1).length,
    allDeliveredSAfterLastPost: all ? (last - postedUntil) / 1000 : null,
    mailDelayP50Ms: delays.p50,
    mailDelayP99Ms: delays.p99,
  };
  if (!all) result.notes.push(`${mails.length - arrived.length} mails missing after ${mailWaitMs / 1000} s`);
  return result;
}
