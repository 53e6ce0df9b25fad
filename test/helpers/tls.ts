// TLS for the serve tests: a self-signed certificate made by openssl (for localhost and
// 127.0.0.1), and requests over HTTPS that trust it, and it only.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';

/** Why openssl cannot make certificates here, or undefined when it can. */
export function opensslUnavailable(): string | undefined {
  const version = spawnSync('openssl', ['version'], { encoding: 'utf8' });
  return version.status === 0 ? undefined : 'openssl is not installed (Debian: apt-get install openssl)';
}

export interface SelfSigned {
  certPath: string;
  keyPath: string;
  /** The certificate's PEM: the only CA a client trusts. */
  cert: string;
  key: string;
}

/** A P-256 key and a certificate for CN=localhost (and IP 127.0.0.1), valid one day, in `dir` under `name`. */
export function selfSigned(dir: string, name = 'serve'): SelfSigned {
  const certPath = join(dir, `${name}-cert.pem`);
  const keyPath = join(dir, `${name}-key.pem`);
  const made = spawnSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
    '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1', '-days', '1',
    '-keyout', keyPath, '-out', certPath], { encoding: 'utf8', timeout: 20_000 });
  if (made.status !== 0) throw new Error(`openssl req failed: ${made.stderr}`);
  return { certPath, keyPath, cert: readFileSync(certPath, 'utf8'), key: readFileSync(keyPath, 'utf8') };
}

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/** One HTTPS request to `url`, trusting `ca` only; rejects when the connection or the handshake fails. */
export function httpsCall(url: string, ca: string, method = 'GET', headers: Record<string, string> = {}, body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, ca, headers, timeout: 10_000, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, text }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer from ${url} within 10 s`)));
    req.on('error', reject);
    req.end(body);
  });
}
