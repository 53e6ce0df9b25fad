// `-f prom`: the report's counters in the Prometheus text exposition format 0.0.4, for the
// node_exporter textfile collector, a pushgateway or a diff between runs.
//
// Written by hand rather than with prom-client: this is a one-shot dump of finished numbers,
// whereas prom-client is built around a live registry (a process-global default, metric objects
// that must be registered once, an async `metrics()`) and brings dependencies with it. The
// writer below is the whole format: HELP, TYPE and sample lines with escaped label values,
// and the browser entry can use it too.
import type { Report } from '../analyze/report.js';
import { orderKey } from './aggregate.js';

type Labels = Record<string, string | null>;

interface Family {
  name: string;
  help: string;
  /** `labels` is the formatted `{name="value",…}` text, or absent. */
  samples: { labels?: string; value: number }[];
}

/**
 * Every metric is a counter. Families in a fixed order; route series in address order of their
 * prefix, so two dumps diff line by line. Null labels (a route without next hop or device) are
 * empty strings. Should `totals.malformed` exceed the sum of the reasons, the rest appears as
 * reason="other", so the series always add up to the total.
 */
export function formatProm(report: Report): string {
  const totals = report.totals;
  const reasons = Object.entries(totals.malformedReasons)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const unexplained = totals.malformed - reasons.reduce((sum, [, n]) => sum + n, 0);
  if (unexplained > 0) reasons.push(['other', unexplained]);

  // one series per label set: two routes alike but for metric or type (a route replaced
  // while counting) would otherwise give a duplicate series, which scrapers reject
  const series = new Map<string, { key: string; labels: string; packets: number; bytes: number }>();
  for (const route of report.routes) {
    const key = orderKey(route.prefix);
    const family = key[0] === '4' ? 'ipv4' : key[0] === '6' ? 'ipv6' : '';
    const labels = formatLabels({ prefix: route.prefix, next_hop: route.nextHop, dev: route.dev, family });
    const found = series.get(labels);
    if (found) {
      found.packets += route.packets;
      found.bytes += route.bytes;
    } else {
      series.set(labels, { key, labels, packets: route.packets, bytes: route.bytes });
    }
  }
  const routes = [...series.values()]
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.labels < b.labels ? -1 : a.labels > b.labels ? 1 : 0));

  const families: Family[] = [
    { name: 'fibscope_records_total', help: 'Capture records read, whatever they hold.', samples: [{ value: totals.records }] },
    { name: 'fibscope_bytes_total', help: 'Original (wire) length of every record read, in bytes.', samples: [{ value: totals.bytes }] },
    { name: 'fibscope_counted_packets_total', help: 'IPv4 and IPv6 packets counted by destination.', samples: [{ value: totals.counted }] },
    { name: 'fibscope_unrouted_packets_total', help: 'Counted packets whose destination matched no route.', samples: [{ value: totals.noRoute.packets }] },
    { name: 'fibscope_unrouted_bytes_total', help: 'Wire bytes of counted packets whose destination matched no route.', samples: [{ value: totals.noRoute.bytes }] },
    {
      name: 'fibscope_malformed_packets_total',
      help: 'Packets whose network header did not match what the link layer announced, by reason.',
      samples: reasons.map(([reason, value]) => ({ labels: formatLabels({ reason }), value })),
    },
    { name: 'fibscope_non_ip_packets_total', help: 'Packets of a decoded link type carrying neither IPv4 nor IPv6.', samples: [{ value: totals.nonIp }] },
    { name: 'fibscope_unsupported_link_packets_total', help: 'Records of a link type fibscope does not decode.', samples: [{ value: totals.unsupportedLink }] },
    {
      name: 'fibscope_route_packets_total',
      help: 'Counted packets whose destination matched the route, by longest prefix.',
      samples: routes.map(({ labels, packets }) => ({ labels, value: packets })),
    },
    {
      name: 'fibscope_route_bytes_total',
      help: 'Wire bytes of counted packets whose destination matched the route.',
      samples: routes.map(({ labels, bytes }) => ({ labels, value: bytes })),
    },
  ];

  let text = '';
  for (const family of families) {
    text += `# HELP ${family.name} ${escapeHelp(family.help)}\n# TYPE ${family.name} counter\n`;
    for (const sample of family.samples) {
      text += `${family.name}${sample.labels ?? ''} ${formatValue(sample.value)}\n`;
    }
  }
  return text;
}

function formatLabels(labels: Labels): string {
  return `{${Object.entries(labels).map(([name, value]) => `${name}="${escapeLabelValue(value ?? '')}"`).join(',')}}`;
}

/** Label values: backslash, double quote and line feed escaped, as the format requires. */
export function escapeLabelValue(value: string): string {
  return value.replace(/[\\"\n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`));
}

/** HELP text: backslash and line feed escaped. */
function escapeHelp(text: string): string {
  return text.replace(/[\\\n]/g, (c) => (c === '\n' ? '\\n' : '\\\\'));
}

/** Integers as plain digits (exact up to 2^53); anything else in Go float syntax. */
function formatValue(value: number): string {
  if (Number.isSafeInteger(value)) return String(value);
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? '+Inf' : '-Inf';
  return String(value);
}
