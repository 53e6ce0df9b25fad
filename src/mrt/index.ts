// MRT (RFC 6396), the format RIPE RIS and RouteViews publish tables and updates in: as a routes
// file (routes.ts) and as a route update stream (updates.ts). Works in Node and browsers on bytes
// already decompressed; reading files (gzip, bzip2) is src/routes/read.ts.
export { looksLikeMrt } from './detect.js';
export { MrtFormatError } from './errors.js';
export { parsePeerFilter, type MrtPeer, type PeerFilter } from './peers.js';
export { parseMrtRoutes, type MrtLoadNotes, type MrtRoutesOptions } from './routes.js';
export { parseMrtUpdates, type MrtUpdatesOptions } from './updates.js';
export type { MrtTruncation } from './records.js';
