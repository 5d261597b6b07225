import { currentRequest } from '../lib/request-context.js';

let processTotal = 0;

/** Counts one SQL statement for the process and for the request running now. */
export function countSqlStatement(): void {
  processTotal += 1;
  const request = currentRequest();
  if (request) request.sqlQueries += 1;
}

/** Statements this process has sent since it started (Prometheus counter source). */
export function sqlStatementsTotal(): number {
  return processTotal;
}
