import type { RouteRowFields } from '../fib/fib.js';
import type { RouteBgpFields } from './report.js';

/**
 * Copies a route's BGP attributes from `row` (as `fib.describeInto` filled it) into a report
 * row, only those it has: rows of tables without them stay as they were, in JSON too.
 */
export function addBgpFields(into: RouteBgpFields, row: RouteRowFields): void {
  if (row.originAs !== undefined) into.originAs = row.originAs;
  if (row.originAsSet !== undefined) into.originAsSet = row.originAsSet;
  if (row.asPath !== undefined) into.asPath = row.asPath;
  if (row.communities !== undefined) into.communities = row.communities;
}
