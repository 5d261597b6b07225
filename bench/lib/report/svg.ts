/** A hand-written SVG chart: throughput (log scale) and p99 latency (log scale) per scenario, side by side. */
import type { ScenarioResult } from '../result.js';

export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const ROW = 34;
const LABEL_W = 170;
const PANEL_W = 330;
const GAP = 40;
const TOP = 56;
/** Longest bar: the rest of a panel holds the value's label. */
const BAR_W = PANEL_W - 100;

/** Bar length for `value` on a log10 axis from 1 to `max`, in pixels of `width`. */
export function logLength(value: number, max: number, width: number): number {
  if (!(value > 0) || !(max > 1)) return 0;
  return Math.max(2, (Math.log10(Math.max(1, value)) / Math.log10(max)) * width);
}

function bar(x: number, y: number, length: number, color: string, label: string): string {
  return `<rect x="${x}" y="${y}" width="${length.toFixed(1)}" height="${ROW - 12}" fill="${color}" rx="3"/>` + `<text x="${(x + length + 6).toFixed(1)}" y="${y + (ROW - 12) / 2}" class="v">${escapeXml(label)}</text>`;
}

/** The chart for the measured (not skipped) scenarios. */
export function renderChart(results: readonly ScenarioResult[], title: string, footnote = ''): string {
  const rows = results.filter((r) => !r.skipped && r.load);
  const maxRps = Math.max(10, ...rows.map((r) => r.load!.rps));
  const maxP99 = Math.max(10, ...rows.map((r) => r.load!.latency.p99));
  const x1 = LABEL_W;
  const x2 = LABEL_W + PANEL_W + GAP;
  const height = TOP + rows.length * ROW + 30;
  const width = x2 + PANEL_W;
  const body = rows.map((r, i) => {
    const y = TOP + i * ROW;
    const l = r.load!;
    return [
      `<text x="${LABEL_W - 8}" y="${y + (ROW - 12) / 2}" class="n">${escapeXml(r.name)}</text>`,
      bar(x1, y, logLength(l.rps, maxRps, BAR_W), '#3b82f6', `${Math.round(l.rps).toLocaleString('en-US')} ${r.unit}`),
      bar(x2, y, logLength(l.latency.p99, maxP99, BAR_W), '#f97316', `${l.latency.p99.toFixed(1)} ms`),
    ].join('');
  });
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    '<style>.n{text-anchor:end;dominant-baseline:middle}.v{dominant-baseline:middle;fill:#333}.h{font-weight:bold}</style>',
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    `<text x="10" y="20" class="h" font-size="14">${escapeXml(title)}</text>`,
    `<text x="${x1}" y="44" class="h">Throughput (log scale)</text>`,
    `<text x="${x2}" y="44" class="h">p99 latency (log scale)</text>`,
    ...body,
    `<text x="10" y="${height - 10}" font-size="11" fill="#555">${escapeXml(footnote)}</text>`,
    '</svg>',
    '',
  ].join('\n');
}
