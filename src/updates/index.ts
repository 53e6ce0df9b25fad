// Route update streams applied in step with a capture (docs/updates.md): the readers, the applier.
export { parseUpdates, detectUpdateFormat } from './detect.js';
export type { ParseUpdatesOptions, UpdateFormat } from './detect.js';
export { UpdateApplier, checkUpdateOrder } from './applier.js';
export type { ApplyUpdatesOptions } from './applier.js';
export type { RouteUpdate, UpdateStream, UpdateStreamNotes } from './types.js';
export { UpdateColumns } from './columns.js';
export type { UpdatesReport } from './summary.js';
export { UpdateFormatError, UpdateOrderError } from '../errors.js';
