import type { LoadResult } from './load/types.js';

/** One row of the report: what a scenario measured (null: not measured, with a note saying why). */
export interface ScenarioResult {
  name: string;
  description: string;
  /** Set when the scenario did not run; the reason. */
  skipped?: string;
  load?: LoadResult;
  /** Throughput unit of `load.rps`: HTTP requests or workflows. */
  unit: 'req/s' | 'wf/s';
  sqlPerRequest: number | null;
  cacheHitRate: number | null;
  /** CPU of the measured processes in % of one core, and their peak RSS. */
  cpuPercent: number | null;
  peakWorkerRssMb: number | null;
  peakTotalRssMb: number | null;
  /** How busy the whole machine was while measuring (% of all cores), others' work included. */
  machineBusyPercent: number | null;
  /** 1-minute load average of the machine when the scenario started. */
  loadAvg1: number;
  /** Scenario-specific figures (mails delivered, delivery time, no-op ceiling...). */
  extra: Record<string, number | string | boolean | null>;
  notes: string[];
}

/** A result row with nothing measured yet. */
export function emptyResult(name: string, description: string, loadAvg1: number, unit: ScenarioResult['unit'] = 'req/s'): ScenarioResult {
  return { name, description, unit, sqlPerRequest: null, cacheHitRate: null, cpuPercent: null, peakWorkerRssMb: null, peakTotalRssMb: null, machineBusyPercent: null, loadAvg1, extra: {}, notes: [] };
}

/** A row for a scenario that could not run. */
export function skippedResult(name: string, description: string, reason: string, loadAvg1: number): ScenarioResult {
  return { ...emptyResult(name, description, loadAvg1), skipped: reason };
}
