// `--tls-cert` and `--tls-key`: serve HTTPS with Node's own TLS. Both files are checked before
// serve listens, each error naming its file: a certificate that is not one, a key that is not
// one, a key that does not belong to the certificate.
import type { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Server, ServerOptions } from 'node:https';
import type { Socket } from 'node:net';
import { nodeCrypto, nodeHttps, nodeTls } from '../node-builtins.js';
import { FibscopeError } from '../errors.js';
import { readSecretFile } from './secret-file.js';

/** PEM text of a certificate (its chain after it, if any) and of its private key. */
export interface TlsFiles {
  cert: string;
  key: string;
}

export interface LoadedTls {
  tls: TlsFiles;
  /** Lines for the log: a key others may read, a certificate out of its validity period. */
  warnings: string[];
}

const bad = (message: string) => new FibscopeError('BAD_ARGUMENT', message);

/** Reads and checks both files; `now` decides whether the certificate has expired. */
export async function loadTlsFiles(certPath: string, keyPath: string, now = new Date()): Promise<LoadedTls> {
  const cert = await readFile(certPath, 'utf8').catch((error: Error) => {
    throw bad(`--tls-cert ${certPath}: cannot read it: ${error.message}`);
  });
  const { text: key, warning } = await readSecretFile(keyPath, '--tls-key');
  let certificate: X509Certificate;
  try {
    certificate = new (nodeCrypto().X509Certificate)(cert);
  } catch (error) {
    throw bad(`--tls-cert ${certPath}: not a PEM certificate (${(error as Error).message})`);
  }
  try {
    nodeCrypto().createPrivateKey(key);
  } catch (error) {
    throw bad(`--tls-key ${keyPath}: not a PEM private key (${(error as Error).message}); an encrypted key needs decrypting first`);
  }
  try {
    nodeTls().createSecureContext({ cert, key });
  } catch (error) {
    throw bad(`--tls-key ${keyPath} does not go with --tls-cert ${certPath} (${(error as Error).message})`);
  }
  const warnings = warning ? [warning] : [];
  const from = new Date(certificate.validFrom);
  const to = new Date(certificate.validTo);
  if (now < from || now > to) {
    warnings.push(`warning: --tls-cert ${certPath} is valid from ${from.toISOString()} to ${to.toISOString()} only: clients will refuse it`);
  }
  return { tls: { cert, key }, warnings };
}

/** Both flags or neither: one alone is an error saying which is missing. */
export function checkTlsPair(cert: string | undefined, key: string | undefined): void {
  if ((cert === undefined) === (key === undefined)) return;
  throw bad(cert === undefined ? '--tls-key needs --tls-cert beside it (the certificate the key belongs to)'
    : '--tls-cert needs --tls-key beside it (the private key of the certificate)');
}

export interface TlsServer {
  server: Server;
  /** Cuts every connection, those still in their handshake too (which closeAllConnections does not know of). */
  cutAll(): void;
}

/**
 * An HTTPS server under the limits of the plain one; the handshake gets no longer than the
 * headers, as it comes before them.
 */
export function createTlsServer(files: TlsFiles, limits: ServerOptions & { headersTimeout: number },
  handle: (req: IncomingMessage, res: ServerResponse) => void): TlsServer {
  const server = nodeHttps().createServer({ ...limits, handshakeTimeout: limits.headersTimeout, cert: files.cert, key: files.key }, handle);
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  return { server, cutAll: () => { for (const socket of sockets) socket.destroy(); } };
}
