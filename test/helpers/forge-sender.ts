// Sends IPv4/UDP packets with any source address from inside a network namespace. Node has no raw
// sockets, so a short Python 3 script does it: socket(AF_INET, SOCK_RAW, IPPROTO_RAW) implies
// IP_HDRINCL, so the kernel sends the header we build (it fills in only the header checksum and
// the total length) and routes it by its destination, whatever the source says.

import { spawn, spawnSync } from 'node:child_process';

/** One UDP packet to send. `sport` identifies the probe: keep it unique within a run. */
export interface ForgedProbe {
  src: string;
  dst: string;
  sport: number;
  dport: number;
  /** default 64 */
  ttl?: number;
}

const SENDER = String.raw`
import json, socket, struct, sys

def checksum(data):
    if len(data) % 2:
        data += b'\0'
    total = sum(struct.unpack('!%dH' % (len(data) // 2), data))
    while total >> 16:
        total = (total & 0xffff) + (total >> 16)
    return ~total & 0xffff

sock = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
sent = 0
for probe in json.load(sys.stdin):
    src = socket.inet_aton(probe['src'])
    dst = socket.inet_aton(probe['dst'])
    payload = b'fibscope-urpf %d' % probe['sport']
    length = 8 + len(payload)
    udp = struct.pack('!HHHH', probe['sport'], probe['dport'], length, 0) + payload
    pseudo = src + dst + struct.pack('!BBH', 0, 17, length)
    udp = udp[:6] + struct.pack('!H', checksum(pseudo + udp) or 0xffff) + udp[8:]
    header = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + length, probe['sport'], 0,
                         probe.get('ttl', 64), 17, 0, src, dst)
    sock.sendto(header + udp, (probe['dst'], 0))
    sent += 1
print(sent)
`;

/**
 * Sends `probes` from namespace `ns`, in order; rejects with Python's message when a send fails.
 * Senders in different namespaces can run at once (each is a Python process).
 */
export function sendForged(ns: string, probes: readonly ForgedProbe[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('ip', ['netns', 'exec', ns, 'python3', '-c', SENDER], { stdio: ['pipe', 'pipe', 'pipe'], timeout: 10_000 });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', (error) => reject(new Error(`forge sender in ${ns}: ${error.message}`)));
    child.on('close', (status) => {
      if (status !== 0) reject(new Error(`forge sender in ${ns} exited ${status}: ${stderr.trim()}`));
      else if (Number(stdout.trim()) !== probes.length) reject(new Error(`forge sender in ${ns} sent ${stdout.trim()} of ${probes.length} probes`));
      else resolve();
    });
    child.stdin.end(JSON.stringify(probes));
  });
}

/** Why the sender cannot run here, or null. */
export function forgeSenderMissing(): string | null {
  const probe = spawnSync('python3', ['-c', 'import socket, struct, json'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) return 'python3 is not available (Debian: python3)';
  return null;
}
