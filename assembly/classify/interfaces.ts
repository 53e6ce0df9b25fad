// Capture interfaces by name, for rules and views that name the interface a packet came in on.
// Number 0 is an interface without a name; 1.. are the distinct names registered, in the order
// they were first seen, for the whole instance (two inputs whose interfaces share a name share
// its number). The pcapng reader registers each IDB's if_name; the host registers the names it
// gives pcap inputs. Registration is rare (once per interface), so a scan over the names is enough.
//
// Names are kept in one byte buffer; per number (from 1), an entry: @0 hash u32, @4 offset u32, @8 length u32.

import { realloc, POOL_OTHER } from '../memory/alloc';

/** The longest name kept, in bytes (a pcapng if_name beyond it is cut there). */
export const MAX_INTERFACE_NAME: u32 = 255;

const ENTRY_BYTES: usize = 12;

let entries: usize = 0;
let entryCapacity: u32 = 0;
let names: usize = 0;
let nameBytes: u32 = 0;
let nameCapacity: u32 = 0;
/** Names registered: numbers 1..interfaceNames are in use. */
export let interfaceNames: u32 = 0;

/** The interface of the record being counted: its number (0 unnamed), set by the capture reader. */
export let currentInterface: u32 = 0;

export function setCurrentInterface(number: u32): void {
  currentInterface = number;
}

function hashName(at: usize, length: u32): u32 {
  let h: u32 = 0x811c9dc5;
  for (let i: u32 = 0; i < length; i++) h = (h ^ <u32>load<u8>(at + i)) * 0x01000193;
  return h;
}

@inline function entryOf(number: u32): usize {
  return entries + <usize>(number - 1) * ENTRY_BYTES;
}

/**
 * The number of the name of `length` bytes at `at`, registered now if it is new; 0 for an empty
 * name. The caller keeps `length` at most MAX_INTERFACE_NAME.
 */
export function registerInterface(at: usize, length: u32): u32 {
  if (length == 0) return 0;
  const hash = hashName(at, length);
  for (let n: u32 = 1; n <= interfaceNames; n++) {
    const entry = entryOf(n);
    if (load<u32>(entry) == hash && load<u32>(entry, 8) == length
      && memory.compare(names + <usize>load<u32>(entry, 4), at, length) == 0) return n;
  }
  if (interfaceNames == entryCapacity) {
    const next = max<u32>(16, entryCapacity * 2);
    entries = realloc(entries, <usize>entryCapacity * ENTRY_BYTES, <usize>next * ENTRY_BYTES, POOL_OTHER);
    entryCapacity = next;
  }
  if (nameBytes + length > nameCapacity) {
    let next = max<u32>(1024, nameCapacity * 2);
    while (nameBytes + length > next) next *= 2;
    names = realloc(names, nameCapacity, next, POOL_OTHER);
    nameCapacity = next;
  }
  memory.copy(names + nameBytes, at, length);
  const number = ++interfaceNames;
  const entry = entryOf(number);
  store<u32>(entry, hash);
  store<u32>(entry, nameBytes, 4);
  store<u32>(entry, length, 8);
  nameBytes += length;
  return number;
}

/** Bytes of the name of interface `number`; 0 for 0 and numbers not in use. */
export function interfaceNameLength(number: u32): u32 {
  return number >= 1 && number <= interfaceNames ? load<u32>(entryOf(number), 8) : 0;
}

/** Where the name of interface `number` is (valid until the next registration); 0 when it has none. */
export function interfaceNameAt(number: u32): usize {
  return number >= 1 && number <= interfaceNames ? names + <usize>load<u32>(entryOf(number), 4) : 0;
}
