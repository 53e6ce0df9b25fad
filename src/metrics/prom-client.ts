// A prom-client collector for services that already expose a registry: fibscope's counters as
// prom-client metrics, read from the analyzer when the registry is scraped. fibscope never
// imports prom-client: the caller hands its own module in, so prom-client stays the caller's
// dependency (whatever 15.x copy it has), and services without it pay nothing.
//
//   import * as client from 'prom-client';
//   registerFibscopeMetrics(client, { analyzer, fib });
//   // ... await client.register.metrics() now holds fibscope_route_packets_total etc.
//
// The families, names, labels and values are those of `fibscope serve`'s /metrics and
// `fibscope analyze -f prom` (promFamilies in src/report/prom.ts), but for counts above 2^53:
// prom-client holds numbers, so they reach it as the nearest float64 (the text writer of
// src/report/prom.ts prints them exactly).
import type { Report } from '../analyze/report.js';
import {
  promFamilies, RouteLabelCache, TopDestinations, type LivePromOptions, type PromFamily, type RouteChangeCounts,
} from '../report/prom.js';

/** What the collector needs of a prom-client registry. */
export interface PromClientRegistry {
  removeSingleMetric(name: string): void;
}

/** The metric config prom-client's Counter and Gauge take. */
export interface PromClientMetricConfig<R extends PromClientRegistry> {
  name: string;
  help: string;
  labelNames: string[];
  registers: R[];
  collect: (this: PromClientMetric) => void;
}

/** What the collector calls on a prom-client Counter or Gauge while collecting. */
export interface PromClientMetric {
  reset(): void;
  /** Counter */
  inc?(labels: Record<string, string>, value: number): void;
  /** Gauge */
  set?(labels: Record<string, string>, value: number): void;
}

/** The parts of the prom-client module used: pass the module itself. */
export interface PromClientModule<R extends PromClientRegistry> {
  Counter: new (config: PromClientMetricConfig<R>) => PromClientMetric;
  Gauge: new (config: PromClientMetricConfig<R>) => PromClientMetric;
  /** The default registry, used when `options.registry` is not given. */
  register: R;
}

export interface FibscopeCollectorOptions<R extends PromClientRegistry> {
  /** Where the counters are read, at every scrape: an Analyzer (anything with snapshot()). */
  analyzer: { snapshot(options?: { destinations?: boolean }): Report };
  /** The table, for `fibscope_routes{family}`. */
  fib?: { stats(): { ipv4Routes: number; ipv6Routes: number } };
  /** Route changes the service counts itself, read at every scrape, for `fibscope_route_changes_total{op}`. */
  routeChanges?: Readonly<RouteChangeCounts>;
  /** Per-destination series for the top K destinations and `other` (default 0: none). */
  topDestinations?: number;
  /** The registry to register in (default: the module's default registry). */
  registry?: R;
}

export interface FibscopeCollector {
  /** The names of the metrics registered. */
  readonly names: readonly string[];
  /** Removes them from the registry again. */
  unregister(): void;
}

/**
 * Registers fibscope's metric families in a prom-client registry. Each scrape takes one
 * snapshot of the analyzer (shared by all the families of that scrape) and fills the metrics
 * from it; nothing is counted twice and nothing runs between scrapes. Throws prom-client's own
 * error if a metric of the same name is registered already.
 */
export function registerFibscopeMetrics<R extends PromClientRegistry>(client: PromClientModule<R>,
  options: FibscopeCollectorOptions<R>): FibscopeCollector {
  const registry = options.registry ?? client.register;
  const k = options.topDestinations ?? 0;
  const destinations = k > 0 ? new TopDestinations(k) : undefined;
  const routeLabels = new RouteLabelCache();
  const live = (): LivePromOptions => ({ table: options.fib?.stats(), routeChanges: options.routeChanges, destinations, routeLabels });

  // One snapshot per scrape: a scrape asks each metric once, so a metric asking again means a
  // new scrape. The snapshot is also dropped at the next task, so none is kept for long.
  let current: Map<string, PromFamily> | undefined;
  const served = new Set<string>();
  const family = (name: string): PromFamily | undefined => {
    if (!current || served.has(name)) {
      const snapshot = options.analyzer.snapshot({ destinations: destinations !== undefined });
      const families = new Map(promFamilies(snapshot, live()).map((f) => [f.name, f]));
      current = families;
      served.clear();
      setTimeout(() => {
        if (current === families) current = undefined;
      }, 0);
    }
    served.add(name);
    return current.get(name);
  };

  // the set of families is fixed when registering: by the options, and by what the analyzer
  // counts then (a filter, rules, checks add theirs); its report now gives their names and labels
  const shapes = promFamilies(options.analyzer.snapshot({ destinations: false }),
    { ...live(), destinations: destinations && new TopDestinations(k), routeLabels: undefined });
  const names: string[] = [];
  try {
    for (const shape of shapes) {
      const counter = shape.type === 'counter';
      const Metric = counter ? client.Counter : client.Gauge;
      new Metric({
        name: shape.name,
        help: shape.help,
        labelNames: [...shape.labelNames],
        registers: [registry],
        collect(this: PromClientMetric) {
          this.reset();
          for (const sample of family(shape.name)?.samples ?? []) {
            // prom-client keeps values as JS numbers: a count above 2^53 is rounded here (as any
            // Prometheus server stores it as a float64), where /metrics prints every digit
            const value = Number(sample.value);
            if (counter) this.inc!(sample.labels ?? {}, value);
            else this.set!(sample.labels ?? {}, value);
          }
        },
      });
      names.push(shape.name);
    }
  } catch (error) {
    // all or nothing: a clash on one name leaves none of ours registered
    for (const name of names) registry.removeSingleMetric(name);
    throw error;
  }
  return {
    names,
    unregister() {
      for (const name of names) registry.removeSingleMetric(name);
    },
  };
}
