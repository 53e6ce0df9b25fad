// Everything that works the same in Node and in browsers.
export { Fib } from './fib/fib.js';
export type { FibStats, FibOptions, LoadOptions, LoadResult, RemoveMatch } from './fib/fib.js';
export type { Route, RouteAttributes, RouteProvenance, RouteType, NextHop } from './routes/route.js';
export { ROUTE_TYPES } from './routes/route.js';
export { RouteList } from './routes/route-list.js';
export { parseRoutes } from './routes/index.js';
export type { RouteFormat } from './routes/index.js';
export { FibscopeError, RouteFormatError, FibscopeArgumentError, FibscopeOutOfMemoryError } from './errors.js';
export { parseIPv4, parseIPv6, formatIPv4, formatIPv6 } from './net/address.js';
export { Analyzer } from './analyze/analyzer.js';
export { Comparison } from './compare/comparison.js';
export type { CompareReport, CompareReportOptions } from './compare/compare-report.js';
export type { Move, MoveEnd } from './compare/moves.js';
export type { ChangedRoute, ChangedTraffic, ChangeSummary, TrafficCounts } from './compare/changed.js';
export { applyChangeList, isChangeList, parseChangeList } from './compare/change-list.js';
export type { Change, ChangeList } from './compare/change-list.js';
export { formatCompareJson, writeCompareJson } from './compare/format-json.js';
export { trackCompareIntervals } from './compare/intervals.js';
export type { CompareInterval, CompareIntervalOptions, CompareIntervalRoute, CompareIntervalSide } from './compare/intervals.js';
export type { AnalyzerOptions, FrameOptions, RouteSeries, TimeSeriesOptions } from './analyze/analyzer.js';
export { formatDuration, parseDuration } from './intervals/duration.js';
export type { Interval, IntervalDestination, IntervalRoute, IntervalTotals } from './intervals/interval.js';
export type { IntervalOptions, IntervalTracking } from './intervals/tracker.js';
export type { BinRoutePoints } from './intervals/read-bin.js';
export type {
  Count, Report, InputReport, Totals, RouteCounters, NextHopCounters, DestinationCounters, RuleCounters, AddressCounters, AnomalyClass, AnomalyCounters, TrackedAddress,
  SourceRouteCounters, SourceCounters, InterfaceCounters, MatrixReport,
} from './analyze/report.js';
export { compileFilter, FilterSyntaxError, FilterUnsupportedError } from './filter/index.js';
export { compileRules, parseRules, RulesError } from './rules/index.js';
export { BogonListError, parseBogonList, SPECIAL_PURPOSE_BLOCKS } from './checks/index.js';
export type { ChecksOptions } from './analyze/checks-state.js';
export type { ViewOptions } from './analyze/source-report.js';
export { byOriginAs, byOriginAsMatrix } from './analyze/by-as.js';
export type { AsCounters, AsMatrixReport } from './analyze/by-as.js';
export type { Rule, RuleAction, RuleCondition, RuleSet, RulesFormat } from './rules/index.js';
export { addCounts, compareCounts, subtractCounts, sumCounts } from './report/count.js';
export { registerFibscopeMetrics } from './metrics/prom-client.js';
export type { FibscopeCollector, FibscopeCollectorOptions, PromClientModule, PromClientRegistry } from './metrics/prom-client.js';
export type { RouteChangeCounts } from './report/prom.js';
export { LiveRoutes, DEFAULT_LIVE_METRIC } from './live-routes/live-routes.js';
export type { LiveRoutesOptions, PeerRoutes } from './live-routes/live-routes.js';
// the JSON writers only: the table writer brings cli-table3, which is for terminals
export { formatJson, writeJson } from './report/json.js';
export { parseUpdates, UpdateApplier, UpdateFormatError, UpdateOrderError } from './updates/index.js';
export type { ApplyUpdatesOptions, ParseUpdatesOptions, UpdatesReport } from './updates/index.js';
// MRT (RFC 6396) RIB dumps and update files, read from bytes (docs/route-formats.md)
export { looksLikeMrt, MrtFormatError, parseMrtRoutes, parseMrtUpdates, parsePeerFilter } from './mrt/index.js';
export type { MrtLoadNotes, MrtPeer, MrtRoutesOptions, MrtTruncation, MrtUpdatesOptions, PeerFilter } from './mrt/index.js';
export type { RouteUpdate, UpdateStream, UpdateStreamNotes } from './updates/types.js';
export type { UpdateColumns } from './updates/columns.js';
