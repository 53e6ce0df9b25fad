import { spawnSync } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CLI, serveUnavailable, startServe, type ServeProcess } from './helpers/serve-process.js';
import { httpsCall, opensslUnavailable, selfSigned, type SelfSigned } from './helpers/tls.js';
import { tempDir } from './helpers/temp-dir.js';

// `fibscope serve --token-file --tls-cert --tls-key` as a process: writes need the token (401
// without, 401 invalid_token when wrong, 200 when right, the table compared through GET /routes),
// reads do not; HTTPS with a client that trusts the certificate only, plain HTTP to the port
// answered by nothing; files that are wrong stop serve before it listens, naming the file; the
// warnings of the log.

const unavailable = serveUnavailable() ?? opensslUnavailable();
if (unavailable) console.warn(`skipping the serve security process tests: ${unavailable}`);

const TOKEN = 'cli-token-5f1e2d3c4b5a69788796a5b4';
const dir = tempDir('fibscope-serve-security-');
const routes = join(dir, 'routes.txt');
const tokenFile = join(dir, 'token');
writeFileSync(routes, '10.0.0.0/8 192.0.2.1 eth0\n');
writeFileSync(tokenFile, `${TOKEN}\n`);
chmodSync(tokenFile, 0o600);

const running: ServeProcess[] = [];
async function serve(args: string[]): Promise<ServeProcess> {
  const started = await startServe(['-r', routes, ...args, '-']);
  running.push(started);
  return started;
}
afterEach(async () => {
  for (const started of running.splice(0)) {
    started.child.kill('SIGTERM');
    await started.exited;
  }
});

/** A serve that should stop before it listens. */
const serveCli = (...args: string[]) =>
  spawnSync(process.execPath, [CLI, 'serve', '--listen', '127.0.0.1:0', '-r', routes, ...args, '-'], { encoding: 'utf8', input: '', timeout: 10_000 });

const prefixes = async (get: () => Promise<string>) => (JSON.parse(await get()).routes as { prefix: string }[]).map((r) => r.prefix);

describe.skipIf(unavailable !== undefined)('fibscope serve --token-file', () => {
  it('needs the token for writes and none for reads', async () => {
    const started = await serve(['--token-file', tokenFile]);
    expect(started.stderr()).not.toContain('warning');
    const post = (headers: Record<string, string>) => fetch(`${started.base}/routes`, { method: 'POST', headers, body: '10.1.0.0/16 192.0.2.9 eth9' });
    const table = () => prefixes(async () => (await fetch(`${started.base}/routes`)).text());

    const none = await post({});
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer realm="fibscope"');
    const wrong = await post({ Authorization: 'Bearer not-the-token' });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('www-authenticate')).toContain('error="invalid_token"');
    expect((await fetch(`${started.base}/rules`, { method: 'PUT', body: 'rule web count dport 80' })).status).toBe(401);
    expect((await fetch(`${started.base}/routes/10.0.0.0/8`, { method: 'DELETE' })).status).toBe(401);
    expect(await table()).toEqual(['10.0.0.0/8']);

    expect((await post({ Authorization: `Bearer ${TOKEN}` })).status).toBe(200);
    expect(await table()).toEqual(['10.0.0.0/8', '10.1.0.0/16']);
    const rules = await fetch(`${started.base}/rules`, { method: 'PUT', headers: { Authorization: `Bearer ${TOKEN}` }, body: 'rule web count dport 80' });
    expect(rules.status).toBe(200);
    for (const path of ['/metrics', '/report', '/routes', '/rules', '/']) expect((await fetch(`${started.base}${path}`)).status, path).toBe(200);
  });

  it('stops before listening on a token file it cannot use, naming it', () => {
    const empty = join(dir, 'empty-token');
    writeFileSync(empty, '\n');
    const missing = join(dir, 'no-such-token');
    const spaced = join(dir, 'spaced-token');
    writeFileSync(spaced, 'two words\n');
    for (const [file, message] of [
      [empty, `--token-file ${empty}: its first line is empty`],
      [missing, `--token-file ${missing}: cannot read it: ENOENT`],
      [spaced, `--token-file ${spaced}: the write token must be RFC 6750 token characters`],
    ]) {
      const result = serveCli('--token-file', file);
      expect(result.status, file).toBe(2);
      expect(result.stderr).toContain(message);
      expect(result.stderr).not.toContain('serving');
    }
  });

  it('warns of a token file others may read, of open writes beyond loopback, of a token in clear text', async () => {
    const readable = join(dir, 'readable-token');
    writeFileSync(readable, `${TOKEN}\n`);
    chmodSync(readable, 0o644);
    const warned = await serve(['--token-file', readable]);
    expect(warned.stderr()).toContain(`warning: --token-file ${readable} can be read by others than its owner (mode 644); chmod 600 it`);

    const open = await serve(['--listen', '0.0.0.0:0']);
    expect(open.stderr()).toContain('warning: listening on 0.0.0.0, beyond loopback, without --token-file: anyone who reaches it can change the routes and the rules');
    const clear = await serve(['--listen', '0.0.0.0:0', '--token-file', tokenFile]);
    expect(clear.stderr()).toContain('warning: listening on 0.0.0.0, beyond loopback, without --tls-cert: the write token crosses the network in clear text');
    const loopback = await serve([]);
    expect(loopback.stderr()).not.toContain('warning');
  });
});

describe.skipIf(unavailable !== undefined)('fibscope serve --tls-cert --tls-key', () => {
  let files: SelfSigned;
  beforeAll(() => {
    files = selfSigned(dir);
  }, 30_000);

  it('serves HTTPS, with the token checked over it, and nothing to plain HTTP', async () => {
    const started = await serve(['--tls-cert', files.certPath, '--tls-key', files.keyPath, '--token-file', tokenFile]);
    expect(started.base).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(started.stderr()).not.toContain('warning');
    const metrics = await httpsCall(`${started.base}/metrics`, files.cert);
    expect(metrics.status).toBe(200);
    expect(metrics.text).toContain('fibscope_routes{family="ipv4"} 1');

    const body = '10.1.0.0/16 192.0.2.9 eth9';
    expect((await httpsCall(`${started.base}/routes`, files.cert, 'POST', {}, body)).status).toBe(401);
    expect((await httpsCall(`${started.base}/routes`, files.cert, 'POST', { Authorization: 'Bearer nope' }, body)).status).toBe(401);
    expect((await httpsCall(`${started.base}/routes`, files.cert, 'POST', { Authorization: `Bearer ${TOKEN}` }, body)).status).toBe(200);
    expect(await prefixes(async () => (await httpsCall(`${started.base}/routes`, files.cert)).text)).toEqual(['10.0.0.0/8', '10.1.0.0/16']);

    await expect(fetch(`${started.base.replace('https:', 'http:')}/metrics`)).rejects.toThrow();
    // still serving HTTPS after the plain-HTTP attempt
    expect((await httpsCall(`${started.base}/report`, files.cert)).status).toBe(200);
  });

  it('takes both flags or neither, and files that go together, naming the one that is wrong', () => {
    const other = selfSigned(dir, 'other');
    const cases: [string[], string][] = [
      [['--tls-cert', files.certPath], '--tls-cert needs --tls-key beside it'],
      [['--tls-key', files.keyPath], '--tls-key needs --tls-cert beside it'],
      [['--tls-cert', files.certPath, '--tls-key', other.keyPath], `--tls-key ${other.keyPath} does not go with --tls-cert ${files.certPath}`],
      [['--tls-cert', files.keyPath, '--tls-key', files.keyPath], `--tls-cert ${files.keyPath}: not a PEM certificate`],
    ];
    for (const [args, message] of cases) {
      const result = serveCli(...args);
      expect(result.status, args.join(' ')).toBe(2);
      expect(result.stderr).toContain(message);
      expect(result.stderr).not.toContain('serving');
    }
  });
});
