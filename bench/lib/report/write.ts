/** Writes a run's JSON, Markdown and SVG under the results folder and prints the Markdown. */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ScenarioResult } from '../result.js';
import { renderChart } from './svg.js';
import { markdownReport, type RunInfo } from './table.js';
import { checkTargets, guideComparison } from './targets.js';

/** A file-name-safe timestamp: 2025-01-31T12-00-00Z. */
export function fileStamp(iso: string): string {
  return iso.replace(/\.\d+Z$/, 'Z').replace(/:/g, '-');
}

/** `npm run bench (full), 2025-01-31 12:00 UTC`. */
export function chartTitle(info: Pick<RunInfo, 'mode' | 'startedAt'>): string {
  return `npm run bench (${info.mode}), ${info.startedAt.slice(0, 16).replace('T', ' ')} UTC`;
}

export function writeReport(outDir: string, info: RunInfo, results: ScenarioResult[], apiRss: { t: number; mb: number }[]): { markdown: string; files: string[] } {
  mkdirSync(outDir, { recursive: true });
  const base = path.join(outDir, fileStamp(info.startedAt));
  const guide = guideComparison(results);
  const targets = checkTargets(results, apiRss);
  const markdown = markdownReport(info, results, guide, targets);
  const json = { info, results, guide, targets, apiWorkerRss: apiRss };
  writeFileSync(`${base}.json`, `${JSON.stringify(json, null, 2)}\n`);
  writeFileSync(`${base}.md`, markdown);
  writeFileSync(`${base}.svg`, renderChart(results, chartTitle(info), info.machine));
  return { markdown, files: [`${base}.json`, `${base}.md`, `${base}.svg`] };
}
