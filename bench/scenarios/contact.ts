/**
 * `contact`: POST /api/v1/contact at a fixed rate (autocannon's overallRate) from many client addresses
 * (X-Forwarded-For, the API trusting its proxy), then the time until both mails of every accepted
 * message (notify + confirm, by Message-ID) reached the benchmark's SMTP server.
 */
import autocannon from 'autocannon';
import type { BenchContext } from '../lib/context.js';
import { fromAutocannon } from '../lib/load/autocannon.js';
import type { LoadSpec } from '../lib/load/types.js';
import { fillResult, measureLoad } from '../lib/measure.js';
import { machineLoad } from '../lib/proc-sampler.js';
import { emptyResult, type ScenarioResult } from '../lib/result.js';
import { summarize } from '../lib/stats.js';
import { messageIdFor } from '../../src/domain/email.js';
import { contactEmailIds } from '../../src/temporal/constants.js';


export async function runContact(ctx: BenchContext): Promise<ScenarioResult> {
  const rate = ctx.options.contactRate;
  const mailWaitMs = ctx.options.quick ? 20_000 : 60_000;
  const result = emptyResult('contact', `POST /api/v1/contact at ${rate} req/s, each from its own client address; then every mail awaited`, machineLoad().loadAvg1);
  const accepted = new Map<string, number>(); // contact id → time of the 202
  const statuses = new Map<number, number>(); // of the measured window's answers
  let seq = 0;
  const run = async (spec: LoadSpec) => {
    statuses.clear();
    const raw = await autocannon({
      url: spec.baseUrl,
      // One connection per request a second: the rate is held while an answer takes under a second (open-loop-like pacing).
      connections: Math.min(rate, 256),
      duration: spec.durationS,
      overallRate: rate,
      timeout: 10,
      requests: [
        {
          method: 'POST',
          path: '/api/v1/contact',
          setupRequest: (req) => {
            seq += 1;
            const ip = `10.${(seq >> 16) & 255}.${(seq >> 8) & 255}.${seq & 255}`;
            const body = { name: `Reader ${seq}`, email: `reader${seq}@bench.localhost`, message: `Benchmark message ${seq}: the quiz about rivers was great.` };
            return { ...req, headers: { 'content-type': 'application/json', 'x-forwarded-for': ip }, body: JSON.stringify(body) };
          },
          onResponse: (status, body) => {
            statuses.set(status, (statuses.get(status) ?? 0) + 1);
            if (status === 202) accepted.set(String((JSON.parse(body) as { id: unknown }).id), Date.now());
          },
        },
      ],
    });
    return fromAutocannon(raw, `autocannon (overallRate ${rate}/s)`);
  };
  const measured = await measureLoad(ctx, { baseUrl: ctx.api.url, connections: ctx.options.connections, requests: [] }, { pid: ctx.api.pid, metricsUrl: `${ctx.api.url}/metrics` }, run);
  fillResult(result, measured);
  const postedUntil = Date.now();
  const statusText = [...statuses].sort((a, b) => a[0] - b[0]).map(([code, count]) => `${count}×${code}`).join(' ');
  result.notes.push(`answers in the measured window: ${statusText || 'none'}`);
  result.extra = { accepted: accepted.size };
  if (!ctx.smtp || !ctx.app) {
    result.notes.push('mail delivery not measured: the API does not send to the benchmark\'s SMTP server');
    return result;
  }
  const mails = [...accepted].flatMap(([id, at]) => [contactEmailIds.notify(id), contactEmailIds.confirm(id)].map((m) => ({ messageId: messageIdFor(m, ctx.app!.mailDomain), at })));
  const all = await ctx.smtp.waitFor(mails.map((m) => m.messageId), mailWaitMs);
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
