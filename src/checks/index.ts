// The security checks' building blocks (issue 13): the special-purpose registries, bogon lists,
// and the table the WebAssembly classifier searches.

export { BOGON_SOURCE, BOGON_DESTINATION, BOGON_BOTH, PRIVATE, classNames } from './classes.js';
export { SPECIAL_PURPOSE_BLOCKS, blockClasses } from './special-purpose.js';
export type { SpecialPurposeBlock, RegistryFlag } from './special-purpose.js';
export { parseBogonList, BogonListError } from './bogon-list.js';
export type { BogonList } from './bogon-list.js';
export { buildBogonRanges, prefixRange } from './bogon-ranges.js';
export type { BogonRanges, ClassRange } from './bogon-ranges.js';
export { loadBogonTable } from './bogon-table.js';
