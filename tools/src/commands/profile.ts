/**
 * `stereo-sdk profile --model M --preset kitti --out lut.json`: the latency table of a model on this
 * device (`profileLatency` in @stereo-sdk/stereo). Run it on the target device, then plan there
 * from anywhere with `stereo-sdk prune --lut lut.json`. Profiling cuts every prunable channel group
 * (which needs the pruning engine in @stereo-sdk/core), so it needs the full CLI installed on the
 * device, not only @stereo-sdk/edge-runtime; each measurement itself is the runtime's harness.
 */
import type { Command } from 'commander';
import { InvalidParameterError } from '@stereo-sdk/core';
import type { LatencyTable } from '@stereo-sdk/stereo';
import { fixed, textTable, type Table } from '../report/table.js';
import type { ProgramIO } from '../program.js';
import { createProgress } from '../progress.js';
import { parseIntegerFlag, parseNumberFlag, parseProviders, parseResolution, progressStream, writeOutput } from './runtime-flags.js';

interface ProfileFlags {
  model?: string;
  preset: string;
  out?: string;
  runs?: string;
  warmup?: string;
  fractions?: string;
  multiple?: string;
  threads?: string;
  providers?: string;
}

/** Parses `0.25,0.5`: distinct fractions in (0, 0.95]. */
export function parseFractions(flag: string, raw: string): number[] {
  const parts = raw.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (parts.length === 0) throw new InvalidParameterError(`Expected a comma-separated list of fractions in (0, 0.95] for ${flag} but received '${raw}'`);
  const values = parts.map((p) => parseNumberFlag(flag, p, 0.001, 0.95));
  return [...new Set(values)].sort((a, b) => a - b);
}

/** The table's groups, most expensive first, for the terminal. */
function groupTable(t: LatencyTable, limit = 15): Table {
  const rows = [...t.groups].sort((a, b) => b.msPerChannel * b.size - a.msPerChannel * a.size).slice(0, limit);
  return {
    header: ['group', 'channels', 'ms/channel', 'ms (whole group)', 'key'],
    rows: rows.map((g) => [String(g.id), String(g.size), fixed(g.msPerChannel, 4), fixed(g.msPerChannel * g.size, 2), g.key.length > 48 ? `${g.key.slice(0, 45)}...` : g.key]),
  };
}

/** Runs the command; exported for programmatic use and tests. */
export async function runProfile(flags: ProfileFlags, io: ProgramIO): Promise<LatencyTable> {
  if (flags.model === undefined || flags.out === undefined) throw new InvalidParameterError('profile needs --model M and --out lut.json');
  const resolution = await parseResolution('--preset', flags.preset);
  const runs = flags.runs === undefined ? undefined : parseIntegerFlag('--runs', flags.runs, 1, 10000);
  const warmup = flags.warmup === undefined ? undefined : parseIntegerFlag('--warmup', flags.warmup, 0, 1000);
  const fractions = flags.fractions === undefined ? undefined : parseFractions('--fractions', flags.fractions);
  const multiple = flags.multiple === undefined ? undefined : parseIntegerFlag('--multiple', flags.multiple, 1, 256);
  const threads = flags.threads === undefined ? undefined : parseIntegerFlag('--threads', flags.threads, 1, 64);
  const providers = await parseProviders(flags.providers);
  const { profileLatency, writeLatencyTable } = await import('@stereo-sdk/stereo');
  let progress: ReturnType<typeof createProgress> | undefined;
  let table: LatencyTable;
  try {
    table = await profileLatency(flags.model, {
      resolution,
      ...(runs !== undefined ? { runs } : {}),
      ...(warmup !== undefined ? { warmup } : {}),
      ...(fractions ? { fractions } : {}),
      ...(multiple !== undefined ? { multiple } : {}),
      ...(threads !== undefined ? { threads } : {}),
      ...(providers ? { providers } : {}),
      onProgress: (done, total) => {
        progress ??= createProgress('profile', total, progressStream(io));
        progress.update(done);
      },
    });
  } finally {
    progress?.stop();
  }
  const out = flags.out;
  await writeOutput(out, 'latency table', () => writeLatencyTable(out, table));
  const d = table.device;
  io.out(`profile: ${flags.model} at ${resolution.name} on ${d.cpu} (${d.provider}, ${d.threads > 0 ? `${d.threads} threads` : 'default threads'}): baseline p50 ${fixed(table.baselineMs, 2)} ms, ${table.groups.length} prunable groups\n`);
  io.out(textTable(groupTable(table)));
  io.out(`wrote ${out}\n`);
  return table;
}

/** Registers `stereo-sdk profile`. */
export function registerProfileCommand(program: Command, io: ProgramIO): void {
  program
    .command('profile')
    .description('Measure the latency table of a model on this device (ms per channel of every prunable group) for `prune --lut`')
    .option('--model <onnx>', 'inference model to profile (the one you will prune)')
    .option('--preset <name>', 'resolution: kitti (1242x375), sceneflow (960x540) or WxH', 'kitti')
    .option('--out <json>', 'latency table to write (lut.json)')
    .option('--runs <n>', 'timed runs per measurement (default 20)')
    .option('--warmup <n>', 'warm-up runs per measurement (default 3)')
    .option('--fractions <list>', 'fractions of each group to cut and time (default 0.25,0.5)')
    .option('--multiple <n>', 'kept channel counts are multiples of n, as prune --multiple (default 8)')
    .option('--threads <n>', 'intra-op threads (default: one per core)')
    .option('--providers <list>', 'execution providers, e.g. cuda,cpu (default cpu)')
    .action(async (flags: ProfileFlags) => {
      await runProfile(flags, io);
    });
}
