import { Analyzer, Fib, type AnalyzerOptions, type Count, type Report } from '../../src/node.js';

/** A table of a few routes the analyzer tests classify by. */
export const TEST_ROUTES = `
0.0.0.0/0 default-v4
10.0.0.0/8 ten
10.1.0.0/16 ten-one
192.0.2.0/24 doc
::/0 default-v6
2001:db8::/32 doc6
`;

/** The report for capture `bytes` pushed in chunks of `chunk` bytes (whole by default). */
export function analyzeBytes(fib: Fib, bytes: Uint8Array, chunk = bytes.length || 1): Report {
  const analyzer = new Analyzer({ fib, name: 'test.pcap' });
  try {
    for (let offset = 0; offset < bytes.length; offset += chunk) analyzer.push(bytes.subarray(offset, offset + chunk));
    analyzer.end();
    return analyzer.report();
  } finally {
    analyzer.dispose();
  }
}

/** The report for capture `bytes` pushed whole into an Analyzer made with `options`. */
export function analyzeWith(bytes: Uint8Array, options: AnalyzerOptions): Report {
  const analyzer = new Analyzer(options);
  try {
    analyzer.push(bytes);
    analyzer.end();
    return analyzer.report();
  } finally {
    analyzer.dispose();
  }
}

export async function testFib(routes = TEST_ROUTES): Promise<Fib> {
  const fib = await Fib.create();
  fib.load(routes);
  return fib;
}

/** The counts that SPEC section 2 defines, for compact assertions. */
export function counts(report: Report) {
  const { records, counted, ipv4, ipv6, nonIp, malformed, unsupportedLink } = report.totals;
  return { records, counted, ipv4, ipv6, nonIp, malformed, unsupportedLink };
}

/** Packets per destination address. */
export function byDestination(report: Report): Record<string, Count> {
  return Object.fromEntries(report.destinations.map((d) => [d.address, d.packets]));
}
