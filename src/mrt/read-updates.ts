// Reading an MRT update file from disk into a route update stream (Node only): gzip and bzip2
// are recognised by their magic bytes, as for routes files (src/routes/read.ts).
import { readRoutesBytes } from '../routes/read.js';
import type { UpdateStream } from '../updates/types.js';
import { parseMrtUpdates } from './updates.js';

/**
 * The updates of an MRT update file (BGP4MP, BGP4MP_ET; RIPE RIS `updates.*.gz`, RouteViews
 * `updates.*.bz2`), `peer` choosing one peer. A file that cannot be read rejects with FibscopeError
 * code 'ROUTES_UNREADABLE'; a truncated record sets `truncated`.
 */
export async function readMrtUpdatesFile(path: string, options: { peer?: string } = {}): Promise<UpdateStream> {
  return parseMrtUpdates(await readRoutesBytes(path), { source: path, peer: options.peer });
}
