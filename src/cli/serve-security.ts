// serve's flags for the HTTP side's security: a token for writes (--token-file) and HTTPS
// (--tls-cert, --tls-key). Kept together here, so that cli/serve.ts gains two calls and the log
// lines, and nothing else.
import { Command, Option } from 'commander';
import type { AddressInfo } from 'node:net';
import { isLoopbackAddress } from '../serve/listen-address.js';
import type { TlsFiles } from '../serve/tls.js';

export interface HttpSecurityOptions {
  tokenFile?: string;
  tlsCert?: string;
  tlsKey?: string;
}

export interface HttpSecurity {
  writeToken?: string;
  tls?: TlsFiles;
  /** Lines for the log, found while reading the files. */
  warnings: string[];
}

export function addHttpSecurityOptions(command: Command): Command {
  return command
    .addOption(new Option('--token-file <file>', 'writes (POST, PUT, DELETE) need Authorization: Bearer with the first line of this file'))
    .addOption(new Option('--tls-cert <file>', 'serve HTTPS with this PEM certificate (and chain); needs --tls-key'))
    .addOption(new Option('--tls-key <file>', 'the PEM private key of --tls-cert'));
}

/** Reads the files the flags name; each error names its file and flag, and comes before serve listens. */
export async function resolveHttpSecurity(options: HttpSecurityOptions): Promise<HttpSecurity> {
  const { checkTlsPair, loadTlsFiles } = await import('../serve/tls.js');
  checkTlsPair(options.tlsCert, options.tlsKey);
  const security: HttpSecurity = { warnings: [] };
  if (options.tokenFile !== undefined) {
    const { readTokenFile } = await import('../serve/token-file.js');
    const { token, warning } = await readTokenFile(options.tokenFile);
    security.writeToken = token;
    if (warning) security.warnings.push(warning);
  }
  if (options.tlsCert !== undefined && options.tlsKey !== undefined) {
    const { tls, warnings } = await loadTlsFiles(options.tlsCert, options.tlsKey);
    security.tls = tls;
    security.warnings.push(...warnings);
  }
  return security;
}

/** What to say once listening: writes open to whoever reaches the address, or a token sent in clear text. */
export function exposureWarnings(security: HttpSecurity, bound: AddressInfo): string[] {
  if (isLoopbackAddress(bound.address)) return [];
  if (security.writeToken === undefined) {
    return [`warning: listening on ${bound.address}, beyond loopback, without --token-file: `
      + 'anyone who reaches it can change the routes and the rules'];
  }
  if (security.tls === undefined) {
    return [`warning: listening on ${bound.address}, beyond loopback, without --tls-cert: the write token crosses the network in clear text`];
  }
  return [];
}
