// What the parser concluded about one frame (docs/counting.md), and why a frame is malformed.

export const FRAME_IPV4: i32 = 4;
export const FRAME_IPV6: i32 = 6;
export const FRAME_NON_IP: i32 = 0;
export const FRAME_UNSUPPORTED_LINK: i32 = 1;
export const FRAME_MALFORMED: i32 = 2;

// Malformed reasons, indices into the analyzer's reason counters. The first 32 are
// "version N where the link layer announced IPv4 (0..15) or IPv6 (16..31)".
export const REASON_VERSION_FOR_IPV4: i32 = 0;
export const REASON_VERSION_FOR_IPV6: i32 = 16;
export const REASON_IPV4_HEADER_TRUNCATED: i32 = 32;
export const REASON_IPV6_HEADER_TRUNCATED: i32 = 33;
export const REASON_IPV4_IHL_LT_5: i32 = 34;
export const REASON_LINK_HEADER_TRUNCATED: i32 = 35;
export const REASON_COUNT: i32 = 36;
