// compileFilter: an expression to a WebAssembly module exporting
//   filter(frame i32, caplen i32, wirelen i32, linkType i32) -> i32   (1 match, 0 not)
// reading the frame from the imported `env.memory`. The expression is lowered once per link
// layout; the function dispatches on the link type. emitFilterMatch does the same inside a
// function someone else is building (the rule-set compiler).
import { FunctionBuilder, I32, ModuleBuilder } from '../wasm-gen/index.js';
import type { FilterAst } from './ast.js';
import { CondEmitter, type FilterLocals } from './emit.js';
import type { Cond } from './ir.js';
import { LINK_LAYOUTS } from './link-types.js';
import { LinkRefusal, lowerForLink } from './lower.js';
import { parseFilter } from './parser.js';
import { reorderLikeLibpcap } from './reorder.js';

export interface LinkTypeRefusal {
  linkType: number;
  /** libpcap's words: "no VLAN support for Linux cooked v1", "expression rejects all packets"... */
  reason: string;
}

export interface CompiledFilter {
  expression: string;
  /** a module importing env.memory and exporting filter(frame, caplen, wirelen, linkType) -> 0|1 */
  bytes: Uint8Array<ArrayBuffer>;
  /** link types libpcap refuses this expression for: their frames never match */
  refusedLinkTypes: number[];
  refusals: LinkTypeRefusal[];
}

export type { FilterLocals };

/** Parse and compile; throws FilterSyntaxError / FilterUnsupportedError naming the column. */
export function compileFilter(expression: string): CompiledFilter {
  const ast = parseFilter(expression);
  const module = new ModuleBuilder();
  const body = module.addFunction([I32, I32, I32, I32], [I32]);
  const { refusals } = emitFilterMatch(body, ast, { frame: 0, caplen: 1, wirelen: 2, linkType: 3 });
  body.end();
  module.exportFunction('filter', body.index);
  return { expression, bytes: module.toBytes(), refusedLinkTypes: refusals.map((r) => r.linkType), refusals };
}

/**
 * Appends code that leaves 1 (match) or 0 on the stack for the frame described by `locals`,
 * allocating its own extra locals on `body`. Returns the link types the expression is refused for.
 */
export function emitFilterMatch(body: FunctionBuilder, ast: FilterAst, locals: FilterLocals): { refusals: LinkTypeRefusal[] } {
  const refusals: LinkTypeRefusal[] = [];
  const branches: { linkTypes: number[]; cond: Cond }[] = [];
  for (const layout of LINK_LAYOUTS) {
    let reason: string | undefined;
    try {
      const cond = reorderLikeLibpcap(lowerForLink(ast, layout));
      if (cond.t === 'const' && !cond.value) reason = 'expression rejects all packets';
      else branches.push({ linkTypes: layout.linkTypes, cond });
    } catch (error) {
      if (!(error instanceof LinkRefusal)) throw error;
      reason = error.message;
    }
    if (reason !== undefined) for (const linkType of layout.linkTypes) refusals.push({ linkType, reason });
  }
  body.block(I32);
  const result = body.depth;
  const emitter = new CondEmitter(body, locals, result);
  // if linkType in A { ... } else if linkType in B { ... } ... else 0
  for (const branch of branches) {
    branch.linkTypes.forEach((linkType, i) => {
      body.localGet(locals.linkType).i32Const(linkType).i32Eq();
      if (i > 0) body.i32Or();
    });
    body.if(I32);
    emitter.cond(branch.cond);
    body.else();
  }
  body.i32Const(0);
  for (let i = 0; i < branches.length; i++) body.end();
  body.end();
  return { refusals };
}
