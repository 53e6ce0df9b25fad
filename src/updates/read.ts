// Reading an update stream file from disk (Node only): gzip and bzip2 recognised by their magic
// bytes (src/routes/read.ts), MRT by its record headers (src/mrt/detect.ts), text decoded as
// UTF-8 and its format detected (detect.ts).
import { FibscopeError } from '../errors.js';
import { looksLikeMrt } from '../mrt/detect.js';
import { readRoutesBytes } from '../routes/read.js';
import { compileModule } from '../wasm/module.js';
import { parseUpdates, type ParseUpdatesOptions } from './detect.js';
import { parseMrtUpdateStream } from './mrt.js';
import type { UpdateStream } from './types.js';

/**
 * The update stream in `path`: bgpdump -m, LINX or fibscope lines, or MRT BGP4MP records. A file
 * that cannot be read or decompressed rejects with FibscopeError code 'UPDATES_UNREADABLE'; a
 * bad line with UpdateFormatError naming path:line (MRT: MrtFormatError naming the byte offset).
 */
export async function readUpdatesFile(path: string, options: Omit<ParseUpdatesOptions, 'source'> = {}): Promise<UpdateStream> {
  let bytes: Uint8Array;
  try {
    bytes = await readRoutesBytes(path);
  } catch (error) {
    if (!(error instanceof FibscopeError) || error.code !== 'ROUTES_UNREADABLE') throw error;
    throw new FibscopeError('UPDATES_UNREADABLE', error.message.replace(`cannot read routes file ${path}`, `cannot read update stream ${path}`)
      .replace('a directory, not a routes file', 'a directory'));
  }
  if (looksLikeMrt(bytes)) return parseMrtUpdateStream(bytes, path, options.peer);
  // compiled, the WebAssembly module reads fibscope's lines (update-lines-wasm.ts); without it, JavaScript does
  await compileModule().catch(() => undefined);
  return parseUpdates(new TextDecoder('utf-8').decode(bytes), { ...options, source: path });
}
