import { expect, it } from 'vitest';
import { runSoak } from '../bench/soak.js';

// The soak of bench/soak.ts, sized for the test suite: counts checked against a reference
// throughout, and WebAssembly memory flat once the first resets have come round.
it('a long-lived analyzer through traffic, route churn, reports, resets and passing analyzers keeps exact counts in flat memory', async () => {
  const figures = await runSoak({ cycles: 250, newDestinations: 300, repeats: 300 });
  expect(figures.packets).toBe(250 * 600);
  // memory is reused, not leaked: many times the heap went through the allocator
  expect(figures.bytesCycled).toBeGreaterThan(10 * figures.heapPeak);
  // after the warm-up (the first reset) the heap stays within a little of where it was
  expect(figures.heapPeak - figures.heapAfterWarmup).toBeLessThan(4 << 20);
});
