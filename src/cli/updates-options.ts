// `analyze`'s route update stream: --updates FILE, --allow-unordered (and --peer, which cli.ts
// adds for MRT routes files: it chooses the peer of a bgpdump -m or MRT update stream too);
// reading the stream before any capture (a bad line or unordered times stop there, exit 2), and
// the lines a run leaves on stderr (one thread, withdrawals of nothing, updates after the capture).
import type { Command } from 'commander';
import type { Report } from '../analyze/report.js';
import { FibscopeError } from '../errors.js';
import { checkUpdateOrder, type ApplyUpdatesOptions } from '../updates/applier.js';
import { readUpdatesFile } from '../updates/read.js';
import type { UpdateStream } from '../updates/types.js';

export interface UpdatesCliOptions {
  updates?: string;
  allowUnordered?: boolean;
  /** The BGP peer whose updates apply: an address or an AS number (the option of routes files). */
  peer?: string;
}

/** Adds --updates and --allow-unordered to `command` (--peer is the routes files' option). */
export function addUpdatesOptions(command: Command): Command {
  return command
    .option('--updates <file>', 'route updates applied in step with the capture\'s timestamps: MRT or bgpdump -m (BGP4MP; --peer chooses '
      + 'one peer), LINX trace or fibscope lines (docs/updates.md)')
    .option('--allow-unordered', 'apply updates whose times go backwards in file order, instead of refusing the stream');
}

/** The stream of --updates, read and parsed, with the notes for stderr; undefined without it. */
export async function readUpdatesOption(options: UpdatesCliOptions & { threads?: number }):
  Promise<{ updates: ApplyUpdatesOptions & { stream: UpdateStream }; notes: string[] } | undefined> {
  if (options.updates === undefined) {
    if (options.allowUnordered) throw new FibscopeError('BAD_ARGUMENT', '--allow-unordered is for --updates FILE, which was not given');
    return undefined;
  }
  const stream = await readUpdatesFile(options.updates, { peer: options.peer });
  // unordered times stop here, before the report file is made
  checkUpdateOrder(stream.columns ?? stream.updates, options.allowUnordered ?? false);
  const notes = (options.threads ?? 1) > 1 ? ['note: --updates reads on one thread: route updates apply in the captures\' order'] : [];
  return { updates: { stream, allowUnordered: options.allowUnordered }, notes };
}

/** Warnings about what the stream did: withdrawals of nothing, updates out of order or after the capture. */
export function updatesWarnings(report: Report): string[] {
  const updates = report.updates;
  if (!updates) return [];
  const warnings: string[] = [];
  if (updates.withdrawnNothing > 0) {
    warnings.push(`${updates.source}: warning: ${updates.withdrawnNothing} withdrawals found no route to remove (the first at ${updates.firstWithdrawnNothing})`);
  }
  if (updates.unordered) {
    warnings.push(`${updates.source}: warning: ${updates.unordered.updates} updates were out of time order and applied in file order; the first: ${updates.unordered.first}`);
  }
  if (updates.pending > 0) warnings.push(`${updates.source}: ${updates.pending} updates are later than the capture's last record: not applied`);
  if (updates.truncated) warnings.push(`${updates.source}: warning: the stream broke off at ${updates.truncated.where}: ${updates.truncated.reason}`);
  return warnings;
}
