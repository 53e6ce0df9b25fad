// The fixed I/O region the host writes into and reads from. Its layout depends on the call:
//   lookup4Batch: u32 addresses from 0, i32 route ids from IO_OUTPUT
//   lookup6Batch: 16-byte addresses from 0, i32 route ids from IO_OUTPUT
//   addRoutes:    ROUTE_INPUT-byte records from 0 (see index.ts)
//   removeRoutes: i32 route ids from 0
//   routesAt:     a 16-byte key at 0, i32 route ids from 16
// One region, allocated once at start, so its address never changes while views exist.

export const IO_BYTES: usize = 1 << 20;
export const IO_OUTPUT: usize = 768 << 10;
/** Most addresses per batch call of either family. */
// inputs below IO_OUTPUT, one i32 out per input above it
export const MAX_BATCH4: i32 = <i32>((IO_BYTES - IO_OUTPUT) >> 2);
export const MAX_BATCH6: i32 = <i32>min(IO_OUTPUT >> 4, (IO_BYTES - IO_OUTPUT) >> 2);
