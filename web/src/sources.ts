// Reading what the user gave (a File) or a sample the site ships (a URL) in the worker: as a
// stream of chunks, or as text. Gzip is recognised by its magic bytes, whatever the name,
// and decompressed as it streams, as the CLI does.
import type { Source } from './protocol.js';

export interface Opened {
  name: string;
  blob: Blob;
  gzip: boolean;
}

/** The bytes behind a source, and whether they are gzip. */
export async function openSource(source: Source): Promise<Opened> {
  let blob: Blob;
  let name: string;
  if (source.kind === 'file') {
    blob = source.file;
    name = source.file.name;
  } else if (source.kind === 'text') {
    blob = new Blob([source.text]);
    name = source.name;
  } else {
    // a sample beside the page: the site's own file, so this works offline once loaded
    const response = await fetch(source.url);
    if (!response.ok) throw new Error(`cannot load the sample ${source.name}: HTTP ${response.status}`);
    blob = await response.blob();
    name = source.name;
  }
  const head = new Uint8Array(await blob.slice(0, 2).arrayBuffer());
  return { name, blob, gzip: head.length === 2 && head[0] === 0x1f && head[1] === 0x8b };
}

/**
 * The (decompressed) bytes as a stream of chunks; `onRead` hears how many bytes of the file
 * itself have been read so far, for progress against `blob.size`.
 */
export function byteStream(opened: Opened, onRead: (fileBytes: number) => void): ReadableStream<Uint8Array> {
  let read = 0;
  const counted = opened.blob.stream().pipeThrough(new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      onRead((read += chunk.length));
      controller.enqueue(chunk);
    },
  }));
  // (the DOM typings give DecompressionStream a BufferSource input, which a Uint8Array is)
  return opened.gzip ? counted.pipeThrough(new DecompressionStream('gzip') as unknown as TransformStream<Uint8Array, Uint8Array>) : counted;
}

/**
 * The text of a routes or rules file (`what` says which, for errors): UTF-8, invalid bytes as
 * U+FFFD (which the parsers report as a binary file), gunzipped when it starts like gzip. Errors
 * name the file as the CLI does.
 */
export async function readTextSource(source: Source, what: 'routes file' | 'rules file'): Promise<{ name: string; text: string }> {
  if (source.kind === 'text') return { name: source.name, text: source.text };
  const opened = await openSource(source);
  if (!opened.gzip) return { name: opened.name, text: new TextDecoder('utf-8').decode(await opened.blob.arrayBuffer()) };
  try {
    return { name: opened.name, text: await new Response(byteStream(opened, () => {})).text() };
  } catch (error) {
    throw new Error(`cannot read ${what} ${opened.name}: it starts like gzip but does not decompress: ${(error as Error).message}`);
  }
}
