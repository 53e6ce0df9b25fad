// Why reading a capture stopped early. The host turns a code into words (src/analyze/errors.ts).
export const READ_OK: i32 = 0;
export const READ_NOT_A_CAPTURE: i32 = 1;
export const READ_EMPTY: i32 = 2;
export const READ_TRUNCATED_FILE_HEADER: i32 = 3;
export const READ_TRUNCATED_RECORD: i32 = 4;
export const READ_RECORD_TOO_LONG: i32 = 5;
export const READ_BAD_BLOCK_LENGTH: i32 = 6;
export const READ_BAD_BLOCK_TRAILER: i32 = 7;
export const READ_UNDECLARED_INTERFACE: i32 = 8;
export const READ_BLOCK_TOO_SHORT: i32 = 9;
export const READ_BAD_BYTE_ORDER_MAGIC: i32 = 10;
export const READ_CAPLEN_BEYOND_BLOCK: i32 = 11;
// an if_tsresol finer than 64-bit ticks hold (README "Timestamps"; times out of range are
// counted and clamped, not damage)
export const READ_TSRESOL_TOO_FINE: i32 = 12;
