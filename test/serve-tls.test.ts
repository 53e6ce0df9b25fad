import { chmodSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Analyzer } from '../src/analyze/analyzer.js';
import { Fib } from '../src/fib/fib.js';
import { FibscopeServer } from '../src/serve/server.js';
import { checkTlsPair, loadTlsFiles } from '../src/serve/tls.js';
import { httpsCall, opensslUnavailable, selfSigned, type SelfSigned } from './helpers/tls.js';
import { tempDir } from './helpers/temp-dir.js';

// HTTPS in process, with a certificate openssl made: a client that trusts it gets the endpoints,
// a write needs the token over TLS too, plain HTTP to the port gets nothing, a client that never
// finishes its handshake is cut at the headers' time limit. The files are checked before use,
// each error naming its file.

const unavailable = opensslUnavailable();
if (unavailable) console.warn(`skipping the serve TLS tests: ${unavailable}`);

const TOKEN = 'tls-test-token-0123456789';
const dir = tempDir('fibscope-tls-');

describe.skipIf(unavailable !== undefined)('serve over TLS', () => {
  let mine: SelfSigned;
  let other: SelfSigned;
  let fib: Fib;
  let analyzer: Analyzer;
  let server: FibscopeServer;
  let base: string;
  let port: number;

  beforeAll(async () => {
    mine = selfSigned(dir, 'mine');
    other = selfSigned(dir, 'other');
    fib = await Fib.create();
    fib.load('10.0.0.0/8 192.0.2.1 eth0\n');
    analyzer = new Analyzer({ fib, name: 'test' });
    const { tls } = await loadTlsFiles(mine.certPath, mine.keyPath);
    server = new FibscopeServer({ fib, analyzer, tls, writeToken: TOKEN, headersTimeoutMs: 500, onError: (e) => { throw e; } });
    ({ port } = await server.listen(0, '127.0.0.1'));
    base = `https://127.0.0.1:${port}`;
  }, 30_000);

  /** Resolves when the server closes `socket`; rejects (and closes it) when it has not within `ms`. */
  const closedWithin = (socket: Socket, ms: number) => new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`the server kept the connection open for ${ms} ms`));
    }, ms);
    socket.on('error', () => {}).on('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });

  afterAll(async () => {
    await server?.close();
    analyzer?.dispose();
  });

  it('serves the endpoints to a client that trusts the certificate, and to none that does not', async () => {
    expect(server.secure).toBe(true);
    const metrics = await httpsCall(`${base}/metrics`, mine.cert);
    expect(metrics.status).toBe(200);
    expect(metrics.text).toContain('fibscope_routes{family="ipv4"} 1');
    // the name in the certificate is checked as well as the key
    expect((await httpsCall(`https://localhost:${port}/routes`, mine.cert)).status).toBe(200);
    await expect(httpsCall(`${base}/metrics`, other.cert)).rejects.toThrow(/self[- ]signed|unable to verify|certificate/i);
  });

  it('needs the write token over TLS as over plain HTTP', async () => {
    const body = '10.1.0.0/16 192.0.2.9 eth9';
    const none = await httpsCall(`${base}/routes`, mine.cert, 'POST', {}, body);
    expect(none.status).toBe(401);
    expect(none.headers['www-authenticate']).toBe('Bearer realm="fibscope"');
    const wrong = await httpsCall(`${base}/routes`, mine.cert, 'POST', { Authorization: 'Bearer wrong' }, body);
    expect(wrong.status).toBe(401);
    expect(wrong.headers['www-authenticate']).toContain('error="invalid_token"');
    expect(fib.routesFor('10.1.0.0/16')).toEqual([]);
    const right = await httpsCall(`${base}/routes`, mine.cert, 'POST', { Authorization: `Bearer ${TOKEN}` }, body);
    expect(right.status).toBe(200);
    expect(fib.routesFor('10.1.0.0/16')).toHaveLength(1);
  });

  it('gives plain HTTP to its port no answer', async () => {
    await expect(fetch(`http://127.0.0.1:${port}/metrics`)).rejects.toThrow();
  });

  it('cuts a client that does not finish its handshake, or its headers, within the headers time limit', async () => {
    // TCP only: no ClientHello ever comes
    const idle = connect(port, '127.0.0.1');
    await closedWithin(idle, 5000);
    // a handshake, then half a request line
    const slow = tlsConnect({ host: '127.0.0.1', port, ca: mine.cert, servername: 'localhost' });
    let answer = '';
    slow.setEncoding('utf8');
    slow.on('data', (chunk: string) => (answer += chunk));
    slow.on('secureConnect', () => slow.write('GET /metr'));
    await closedWithin(slow, 5000);
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
  });
});

describe.skipIf(unavailable !== undefined)('closing a TLS server', () => {
  it('cuts a client still in its handshake once the grace time is over', async () => {
    const files = selfSigned(dir, 'closing');
    const fib = await Fib.create();
    const analyzer = new Analyzer({ fib, name: 'test' });
    // the handshake limit far beyond the grace time: only close() can end the connection in time
    const server = new FibscopeServer({ fib, analyzer, tls: { cert: files.cert, key: files.key }, headersTimeoutMs: 60_000 });
    const { port } = await server.listen(0, '127.0.0.1');
    const idle = connect(port, '127.0.0.1');
    const closed = new Promise<void>((resolve) => idle.on('error', () => {}).on('close', () => resolve()));
    await new Promise<void>((resolve) => idle.on('connect', () => resolve()));
    const bounded = new Promise<'stuck'>((resolve) => setTimeout(() => resolve('stuck'), 10_000).unref());
    expect(await Promise.race([server.close(100).then(() => 'closed' as const), bounded])).toBe('closed');
    await closed;
    idle.destroy();
    analyzer.dispose();
  });
});

describe.skipIf(unavailable !== undefined)('--tls-cert and --tls-key', () => {
  let mine: SelfSigned;
  let other: SelfSigned;
  beforeAll(() => {
    mine = selfSigned(dir, 'files');
    other = selfSigned(dir, 'files-other');
  }, 30_000);

  it('takes a certificate and its key, warning of a key others may read and a certificate out of date', async () => {
    chmodSync(mine.keyPath, 0o600);
    expect(await loadTlsFiles(mine.certPath, mine.keyPath)).toEqual({ tls: { cert: mine.cert, key: mine.key }, warnings: [] });
    chmodSync(mine.keyPath, 0o644);
    const inTwoDays = new Date(Date.now() + 2 * 86_400_000);
    const { warnings } = await loadTlsFiles(mine.certPath, mine.keyPath, inTwoDays);
    chmodSync(mine.keyPath, 0o600);
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toBe(`warning: --tls-key ${mine.keyPath} can be read by others than its owner (mode 644); chmod 600 it`);
    expect(warnings[1]).toMatch(new RegExp(`^warning: --tls-cert ${mine.certPath} is valid from .* only: clients will refuse it$`));
  });

  it('names the file that is wrong', async () => {
    await expect(loadTlsFiles(mine.certPath, other.keyPath))
      .rejects.toThrow(`--tls-key ${other.keyPath} does not go with --tls-cert ${mine.certPath}`);
    await expect(loadTlsFiles(mine.keyPath, mine.keyPath)).rejects.toThrow(`--tls-cert ${mine.keyPath}: not a PEM certificate`);
    await expect(loadTlsFiles(mine.certPath, mine.certPath)).rejects.toThrow(`--tls-key ${mine.certPath}: not a PEM private key`);
    const garbage = join(dir, 'garbage.pem');
    writeFileSync(garbage, 'not PEM at all\n');
    await expect(loadTlsFiles(garbage, mine.keyPath)).rejects.toThrow(`--tls-cert ${garbage}: not a PEM certificate`);
    const missing = join(dir, 'missing.pem');
    await expect(loadTlsFiles(missing, mine.keyPath)).rejects.toThrow(`--tls-cert ${missing}: cannot read it: ENOENT`);
    await expect(loadTlsFiles(mine.certPath, missing)).rejects.toThrow(`--tls-key ${missing}: cannot read it: ENOENT`);
  });

  it('takes both flags or neither', () => {
    expect(() => checkTlsPair(undefined, undefined)).not.toThrow();
    expect(() => checkTlsPair('c', 'k')).not.toThrow();
    expect(() => checkTlsPair('c', undefined)).toThrow('--tls-cert needs --tls-key beside it');
    expect(() => checkTlsPair(undefined, 'k')).toThrow('--tls-key needs --tls-cert beside it');
  });
});
