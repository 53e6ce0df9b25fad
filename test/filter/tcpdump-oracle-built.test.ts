// tcpdump as the oracle over captures this test builds: every link type the filter compiles
// for, VLAN and QinQ, fragments, IPv6 extension headers, SCTP, ARP/RARP, and every frame cut
// short at several lengths (out-of-bounds loads). See oracle.ts for what "agree" means.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { benchRawCapture, builtCaptures } from './built-captures.js';
import { ORACLE_EXPRESSIONS } from './expressions.js';
import { hasTool } from './harness.js';
import { compiledFor, disagreements } from './oracle.js';
import { tempDir } from '../helpers/temp-dir.js';

const tcpdump = hasTool('tcpdump');
if (!tcpdump) console.warn('tcpdump-oracle-built: tcpdump is not installed, skipping');

const workDir = tempDir('fibscope-filter-');

describe.skipIf(!tcpdump).concurrent(`${ORACLE_EXPRESSIONS.length} expressions agree with tcpdump record for record`, () => {
  it('every expression compiles to a valid module', () => {
    expect(ORACLE_EXPRESSIONS.length).toBeGreaterThanOrEqual(200);
    const failures: string[] = [];
    for (const expression of ORACLE_EXPRESSIONS) {
      try {
        if (!WebAssembly.validate(compiledFor(expression).bytes)) failures.push(`${expression}: invalid module`);
      } catch (error) {
        failures.push(`${expression}: ${(error as Error).message}`);
      }
    }
    expect(failures).toEqual([]);
  });

  for (const { name, bytes } of [...builtCaptures(), benchRawCapture()]) {
    it(`on ${name}`, async () => {
      const path = join(workDir, `${name}.pcap`);
      writeFileSync(path, bytes);
      expect(await disagreements(name, path)).toEqual([]);
    });
  }
});
