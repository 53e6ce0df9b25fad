// `--listen`: where the HTTP server binds, in the forms Prometheus exporters take.
import { FibscopeError } from '../errors.js';

/** Loopback by default: the API changes routes, so reaching it from elsewhere is a choice made with --listen. */
export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_PORT = 9464;

export interface ListenAddress {
  /** Undefined: every interface (IPv6 and IPv4 where available). */
  host: string | undefined;
  port: number;
}

/**
 * `127.0.0.1:9464`, `[::1]:9464`, `localhost:9464`; `:9464` for every interface; a bare
 * `9464` for the default host (127.0.0.1). Throws FibscopeError saying what is expected.
 */
export function parseListenAddress(text: string): ListenAddress {
  const bad = () => new FibscopeError('BAD_ARGUMENT',
    `--listen takes HOST:PORT ([IPv6]:PORT, :PORT for every interface, PORT for ${DEFAULT_HOST}), not '${text}'`);
  let host: string | undefined;
  let portText: string;
  if (/^\d+$/.test(text)) {
    host = DEFAULT_HOST;
    portText = text;
  } else if (text.startsWith('[')) {
    const close = text.indexOf(']:');
    if (close < 0) throw bad();
    host = text.slice(1, close);
    portText = text.slice(close + 2);
  } else {
    const colon = text.lastIndexOf(':');
    if (colon < 0 || text.indexOf(':') !== colon) throw bad(); // an IPv6 address needs brackets
    host = colon === 0 ? undefined : text.slice(0, colon);
    portText = text.slice(colon + 1);
  }
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65535 || host === '') throw bad();
  return { host, port };
}

/** 127.0.0.0/8, ::1, and 127.x written as IPv4-mapped IPv6: addresses no other machine reaches. */
export function isLoopbackAddress(address: string): boolean {
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address;
  return /^127\.\d+\.\d+\.\d+$/.test(v4) || address === '::1';
}
