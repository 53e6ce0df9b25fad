// The two lookup tables of this instance, one per family, made at start-up.
import { POOL_FIB4, POOL_FIB6 } from '../memory/alloc';
import { FAMILY_V4 } from './keys';
import { DIRECT_BITS_V4, DIRECT_BITS_V6 } from './lookup';
import { initPoptrie, Poptrie } from './poptrie';
import { initRib, Rib } from './rib';
import { routeTableInit } from './routes';

export const fib4 = changetype<Poptrie>(memory.data(offsetof<Poptrie>()));
export const fib6 = changetype<Poptrie>(memory.data(offsetof<Poptrie>()));
const rib4 = changetype<Rib>(memory.data(offsetof<Rib>()));
const rib6 = changetype<Rib>(memory.data(offsetof<Rib>()));
routeTableInit();
initRib(rib4, DIRECT_BITS_V4);
initRib(rib6, DIRECT_BITS_V6);
initPoptrie(fib4, DIRECT_BITS_V4, POOL_FIB4, rib4);
initPoptrie(fib6, DIRECT_BITS_V6, POOL_FIB6, rib6);

@inline export function tableOf(family: i32): Poptrie {
  return family == FAMILY_V4 ? fib4 : fib6;
}
