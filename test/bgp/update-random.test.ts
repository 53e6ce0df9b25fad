// Random valid UPDATEs decode to exactly what was encoded (the generator's model).
import { describe, expect, it } from 'vitest';
import { decodeUpdate } from '../../src/bgp/message/update.js';
import { Random } from '../helpers/random.js';
import { randomUpdate } from '../helpers/bgp-updates.js';

describe('random UPDATEs', () => {
  for (const fourOctetAs of [true, false]) {
    it(`decode to their model (${fourOctetAs ? '4' : '2'}-octet AS)`, () => {
      const random = new Random(fourOctetAs ? 41 : 42);
      for (let n = 0; n < 500; n++) {
        const update = randomUpdate(random, fourOctetAs);
        const decoded = decodeUpdate(update.bytes, { fourOctetAs });
        if (update.changes.length === 0) {
          expect(decoded.endOfRib).toBe(4);
          continue;
        }
        expect(decoded.outcome).toBe('ok');
        expect(decoded.changes).toEqual(update.changes);
      }
    });
  }
});
