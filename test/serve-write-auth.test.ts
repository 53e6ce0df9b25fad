import * as crypto from 'node:crypto';
import { chmodSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Analyzer } from '../src/analyze/analyzer.js';
import { Fib } from '../src/fib/fib.js';
import { FibscopeServer } from '../src/serve/server.js';
import { readTokenFile } from '../src/serve/token-file.js';
import { pcap } from './helpers/captures.js';
import { LINKTYPE, raw, udp4 } from './helpers/packets.js';
import { tempDir } from './helpers/temp-dir.js';

// Write tokens in process (RFC 6750): every request but GET and HEAD needs the token, whatever
// the path; a rejected write changes nothing (the table, the rules and the change counters are
// compared before and after); reads need nothing. The token file: first line, trimmed, errors
// naming the file, and a warning when others may read it.

// counts the constant-time comparisons, calling through to Node's own (the service loads
// node:crypto when first needed, through src/node-builtins.ts)
const timingSafeEqual = vi.fn(crypto.timingSafeEqual);
vi.mock('../src/node-builtins.js', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../src/node-builtins.js')>();
  return { ...actual, nodeCrypto: () => ({ ...crypto, timingSafeEqual }) };
});

const TOKEN = 'tok-3f9a1c0e7b5d2486.Xy_~+/z';
const TABLE = '10.0.0.0/8 192.0.2.1 eth0\n';

const dir = tempDir('fibscope-write-auth-');
let fib: Fib;
let analyzer: Analyzer;
let server: FibscopeServer;
let base: string;

beforeAll(async () => {
  fib = await Fib.create();
  fib.load(TABLE);
  analyzer = new Analyzer({ fib, name: 'test' });
  analyzer.push(pcap({ linkType: LINKTYPE.RAW, records: [{ ts: { sec: 1, frac: 0 }, data: raw(udp4('192.0.2.200', '10.0.0.1')) }] }));
  server = new FibscopeServer({ fib, analyzer, writeToken: TOKEN, onError: (e) => { throw e; } });
  const { port } = await server.listen(0, '127.0.0.1');
  base = `http://127.0.0.1:${port}`;
});

afterAll(async () => {
  await server.close();
  analyzer.dispose();
});

async function call(method: string, path: string, headers: Record<string, string> = {}, body?: string) {
  const response = await fetch(`${base}${path}`, { method, headers, body });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

/** Everything a write could change, as the read endpoints show it. */
async function state() {
  const metrics = (await call('GET', '/metrics')).text.split('\n')
    .filter((line) => line.startsWith('fibscope_route_changes_total') || line.startsWith('fibscope_rule_set_changes_total') || line.startsWith('fibscope_routes{'));
  return { routes: (await call('GET', '/routes')).text, rules: (await call('GET', '/rules')).text, metrics };
}

const WRITES: [string, string, string?][] = [
  ['POST', '/routes', '10.1.0.0/16 192.0.2.9 eth9'],
  ['DELETE', '/routes/10.0.0.0/8'],
  ['PUT', '/rules', 'rule web count dport 80'],
  ['DELETE', '/rules'],
  // not endpoints a write goes to: still refused for want of the token, before any 404 or 405
  ['POST', '/metrics', 'x'],
  ['PATCH', '/routes', 'x'],
  ['POST', '/nowhere', 'x'],
];

describe('write token', () => {
  it('refuses every write without credentials with 401 and a bare Bearer challenge, and changes nothing', async () => {
    const before = await state();
    for (const [method, path, body] of WRITES) {
      for (const headers of [{}, { Authorization: `Basic ${Buffer.from(`u:${TOKEN}`).toString('base64')}` }] as Record<string, string>[]) {
        const answer = await call(method, path, headers, body);
        expect(answer.status, `${method} ${path}`).toBe(401);
        expect(answer.headers.get('www-authenticate')).toBe('Bearer realm="fibscope"');
        expect(answer.headers.get('connection')).toBe('close');
        expect(JSON.parse(answer.text).error).toContain(`${method} needs the write token`);
      }
    }
    expect(await state()).toEqual(before);
  });

  it('refuses a wrong token with 401 error="invalid_token", whatever its length, and changes nothing', async () => {
    const before = await state();
    const wrong = [
      `${TOKEN.slice(0, -1)}x`, // the same length
      TOKEN.slice(0, -1), // a prefix of it
      `${TOKEN}A`, // longer, starting with it
      'x',
    ];
    for (const [method, path, body] of WRITES) {
      for (const token of wrong) {
        const answer = await call(method, path, { Authorization: `Bearer ${token}` }, body);
        expect(answer.status, `${method} ${path} with ${token}`).toBe(401);
        expect(answer.headers.get('www-authenticate')).toMatch(/^Bearer realm="fibscope", error="invalid_token"/);
      }
    }
    expect(await state()).toEqual(before);
  });

  it('answers Bearer without a token (or with one no header may carry) with 400 invalid_request', async () => {
    for (const header of ['Bearer', 'Bearer   ', 'Bearer two words']) {
      const answer = await call('POST', '/routes', { Authorization: header }, '10.9.0.0/16 192.0.2.9');
      expect(answer.status, header).toBe(400);
      expect(answer.headers.get('www-authenticate')).toBe('Bearer realm="fibscope", error="invalid_request"');
    }
    expect(fib.routesFor('10.9.0.0/16')).toEqual([]);
  });

  it('takes the right token (the scheme in any case), and compares it in constant time', async () => {
    const compare = timingSafeEqual;
    compare.mockClear();
    const posted = await call('POST', '/routes', { Authorization: `Bearer ${TOKEN}` }, '10.1.0.0/16 192.0.2.9 eth9');
    expect(posted.status).toBe(200);
    expect(compare).toHaveBeenCalledTimes(1);
    expect(fib.routesFor('10.1.0.0/16')).toHaveLength(1);
    const rules = await call('PUT', '/rules', { Authorization: `bearer ${TOKEN}` }, 'rule web count dport 80');
    expect(rules.status).toBe(200);
    expect(JSON.parse((await call('GET', '/rules')).text).rules.map((r: { name: string }) => r.name)).toEqual(['web']);
    expect((await call('DELETE', '/rules', { Authorization: `BEARER ${TOKEN}` })).status).toBe(200);
    expect((await call('DELETE', '/routes/10.1.0.0/16', { Authorization: `Bearer ${TOKEN}` })).status).toBe(200);
    expect(fib.routesFor('10.1.0.0/16')).toEqual([]);
    // past the token, the endpoints answer as they always did
    expect((await call('POST', '/metrics', { Authorization: `Bearer ${TOKEN}` }, 'x')).status).toBe(405);
    expect((await call('POST', '/nowhere', { Authorization: `Bearer ${TOKEN}` }, 'x')).status).toBe(404);
    expect(compare).toHaveBeenCalledTimes(6);
  });

  it('leaves reads open: GET and HEAD of every endpoint need no token', async () => {
    // without a rule set or a filter, their reads answer 404 { "rules": null }, token or not
    const statuses = { '/': 200, '/metrics': 200, '/report': 200, '/routes': 200, '/routes/10.0.0.0/8': 200, '/rules': 404, '/filter': 404 };
    for (const [path, status] of Object.entries(statuses)) {
      for (const method of ['GET', 'HEAD']) {
        const answer = await call(method, path);
        expect(answer.status, `${method} ${path}`).toBe(status);
        expect(answer.headers.get('www-authenticate')).toBeNull();
      }
    }
    // a wrong token on a read is not looked at
    expect((await call('GET', '/metrics', { Authorization: 'Bearer wrong' })).status).toBe(200);
  });

  it('answers a write without the token before its body arrives, and closes the connection', async () => {
    const { port } = server.http.address() as { port: number };
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (answer += chunk));
    const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    // 10 MB announced, none of it sent: the answer cannot wait for it
    socket.write('POST /routes HTTP/1.1\r\nHost: x\r\nContent-Length: 10000000\r\n\r\n');
    await closed;
    expect(answer).toMatch(/^HTTP\/1\.1 401 /);
    expect(answer).toContain('WWW-Authenticate: Bearer realm="fibscope"');
  });

  it('refuses a token that no Bearer header could carry when the server is made', () => {
    expect(() => new FibscopeServer({ fib, analyzer, writeToken: 'two words' })).toThrow(/RFC 6750 token characters/);
    expect(() => new FibscopeServer({ fib, analyzer, writeToken: '' })).toThrow(/RFC 6750 token characters/);
  });
});

describe('--token-file', () => {
  const file = (name: string, text: string, mode = 0o600) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    chmodSync(path, mode);
    return path;
  };

  it('takes the first line, trimmed, and warns only when others may read the file', async () => {
    expect(await readTokenFile(file('t1', `  ${TOKEN}  \r\nsecond line\n`))).toEqual({ token: TOKEN, warning: undefined });
    expect(await readTokenFile(file('t2', TOKEN))).toEqual({ token: TOKEN, warning: undefined });
    const open = file('t3', `${TOKEN}\n`, 0o644);
    expect(await readTokenFile(open)).toEqual({ token: TOKEN, warning: `warning: --token-file ${open} can be read by others than its owner (mode 644); chmod 600 it` });
    expect((await readTokenFile(file('t4', `${TOKEN}\n`, 0o640))).warning).toContain('(mode 640)');
  });

  it('names the file when it cannot be read, its first line is empty, or the token could not be sent', async () => {
    const missing = join(dir, 'missing');
    await expect(readTokenFile(missing)).rejects.toThrow(`--token-file ${missing}: cannot read it: ENOENT`);
    for (const [name, text] of [['empty', ''], ['blank', '   \n'], ['second', `\n${TOKEN}\n`]]) {
      const path = file(name, text);
      await expect(readTokenFile(path)).rejects.toThrow(`--token-file ${path}: its first line is empty`);
    }
    const spaced = file('spaced', 'two words\n');
    await expect(readTokenFile(spaced)).rejects.toThrow(`--token-file ${spaced}: the write token must be RFC 6750 token characters`);
    await expect(readTokenFile(dir)).rejects.toThrow(`--token-file ${dir}: cannot read it: EISDIR`);
  });
});
