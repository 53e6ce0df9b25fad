// The host's side of the capture-interface registry (assembly/classify/interfaces.ts): naming an
// interface (`--interface NAME` for a pcap input) and listing the names a capture brought, by number.

import { FibscopeArgumentError } from '../errors.js';
import type { FibscopeExports } from '../wasm/module.js';

/** The longest interface name, in UTF-8 bytes. */
export const MAX_INTERFACE_NAME_BYTES = 255;

/** The number of interface `name` in this instance (registered if new); 0 for ''. */
export function registerInterfaceName(wasm: FibscopeExports, name: string): number {
  const bytes = new TextEncoder().encode(name);
  if (bytes.length > MAX_INTERFACE_NAME_BYTES) {
    throw new FibscopeArgumentError(`interface name '${name.slice(0, 40)}…' is ${bytes.length} bytes long; at most ${MAX_INTERFACE_NAME_BYTES} are allowed`);
  }
  const at = wasm.ioPointer();
  new Uint8Array(wasm.memory.buffer, at, bytes.length).set(bytes);
  return wasm.interfaceRegister(at, bytes.length);
}

/** The name of interface `number` ('' for 0, the unnamed interface). */
export function interfaceName(wasm: FibscopeExports, number: number): string {
  const length = wasm.interfaceNameLength(number);
  if (length === 0) return '';
  return new TextDecoder().decode(new Uint8Array(wasm.memory.buffer, wasm.interfaceNameAt(number), length));
}

/** Every registered name, index i holding number i + 1. */
export function interfaceNames(wasm: FibscopeExports): string[] {
  return Array.from({ length: wasm.interfaceCount() }, (_, i) => interfaceName(wasm, i + 1));
}
