// pcap-filter expressions (tcpdump's language) compiled to WebAssembly. See docs/filter.md.
export { compileFilter, emitFilterMatch } from './compile.js';
export type { CompiledFilter, FilterLocals, LinkTypeRefusal } from './compile.js';
export { parseFilter } from './parser.js';
export type { FilterAst } from './ast.js';
export { FilterSyntaxError, FilterUnsupportedError } from './errors.js';
export { FILTER_LINK_TYPES } from './link-types.js';
