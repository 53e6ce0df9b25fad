// The exports of the report's route rows: taken and sorted (route-rows.ts), written as JSON
// (routes-json.ts).
import { MAX_ROUTE_PREFIX, ROW_BYTES, ROWS_HEADER } from './route-rows';

export { routeRowsOf, routeRowsTake } from './route-rows';
export { destinationJsonScratch, routeBigScratch, routeJsonScratch } from './scratch';
export { routeClassCreate, routesJson, routesJsonBytes, routeJsonBound, routeRowsPrefixTable } from './routes-json';

/** Bytes per row of a route-rows block, and where its rows start. */
export function routeRowBytes(): u32 {
  return <u32>ROW_BYTES;
}

export function routeRowsHeaderBytes(): u32 {
  return <u32>ROWS_HEADER;
}

/** Longest prefix text of a row, without quotes. */
export function routeRowPrefixBytes(): u32 {
  return <u32>MAX_ROUTE_PREFIX;
}
