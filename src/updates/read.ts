// Reading an update stream file from disk (Node only): gzip recognised by its magic bytes, the
// text decoded as UTF-8, the format detected (detect.ts).
import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { FibscopeError } from '../errors.js';
import { parseUpdates, type ParseUpdatesOptions } from './detect.js';
import type { UpdateStream } from './types.js';

/**
 * The update stream in `path`. A file that cannot be read or decompressed rejects with
 * FibscopeError code 'UPDATES_UNREADABLE'; a bad line with UpdateFormatError naming path:line.
 */
export async function readUpdatesFile(path: string, options: Omit<ParseUpdatesOptions, 'source'> = {}): Promise<UpdateStream> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const reason = code === 'EISDIR' ? 'it is a directory' : code === 'ENOENT' ? 'no such file (ENOENT)' : (error as Error).message;
    throw new FibscopeError('UPDATES_UNREADABLE', `cannot read update stream ${path}: ${reason}`);
  }
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = gunzipSync(bytes);
    } catch (error) {
      throw new FibscopeError('UPDATES_UNREADABLE', `cannot read update stream ${path}: it starts like gzip but does not decompress: ${(error as Error).message}`);
    }
  }
  return parseUpdates(new TextDecoder('utf-8').decode(bytes), { ...options, source: path });
}
