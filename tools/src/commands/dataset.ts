/**
 * `stereo-sdk dataset ...`: dataset utilities.
 *
 * `dataset synth` writes a procedural synthetic stereo dataset (see `writeSyntheticDataset` in
 * @stereo-sdk/stereo for the tree), readable as `synthetic:DIR` by every command taking `--data`.
 */
import type { Command } from 'commander';
import { is } from '@stereo-sdk/core';
import type { ProgramIO } from '../program.js';
import { createProgress } from '../progress.js';

/** Raw option strings as commander hands them over. */
interface SynthFlags {
  out: string;
  count: string;
  size: string;
  maxDisp: string;
  seed: string;
}

/** Parsed and range-checked `dataset synth` options. */
export interface SynthArgs {
  out: string;
  count: number;
  height: number;
  width: number;
  maxDisparity: number;
  seed: number;
}

function parseInteger(flag: string, raw: string, lo: number, hi: number): number {
  const value = /^\d+$/.test(raw.trim()) ? Number(raw.trim()) : NaN;
  if (!Number.isSafeInteger(value) || value < lo || value > hi) throw is.invalidParameterError(flag, `an integer in [${lo}, ${hi}]`, raw);
  return value;
}

/**
 * Validates `dataset synth` flags; every message names the flag.
 * @throws InvalidParameterError for a malformed or out-of-range flag.
 */
export function parseSynthArgs(flags: SynthFlags): SynthArgs {
  if (!is.string(flags.out?.trim())) throw is.invalidParameterError('--out', 'a folder path', flags.out);
  const size = /^\s*(\d+)\s*[xX]\s*(\d+)\s*$/.exec(flags.size);
  if (!size) throw is.invalidParameterError('--size', 'HEIGHTxWIDTH, e.g. 256x512 (256 rows, 512 columns)', flags.size);
  const height = parseInteger('--size height', size[1]!, 16, 8192);
  const width = parseInteger('--size width', size[2]!, 16, 8192);
  const maxDisparity = parseInteger('--max-disp', flags.maxDisp, 2, 1024);
  if (maxDisparity > width - 8) {
    throw is.invalidParameterError('--max-disp', `an integer ≤ image width - 8 = ${width - 8} (width from --size ${flags.size})`, flags.maxDisp);
  }
  return {
    out: flags.out,
    count: parseInteger('--count', flags.count, 1, 1_000_000),
    height,
    width,
    maxDisparity,
    seed: parseInteger('--seed', flags.seed, 0, 0xffffffff),
  };
}

/** Progress goes to stderr: a bar on a terminal, otherwise plain lines through `io.err` (so tests capture them). */
function progressStream(io: ProgramIO): NodeJS.WriteStream {
  if (process.stderr.isTTY) return process.stderr;
  return { isTTY: false, write: (s: string) => (io.err(s), true) } as unknown as NodeJS.WriteStream;
}

export function registerDatasetCommand(program: Command, io: ProgramIO): void {
  const dataset = program.command('dataset').description('Dataset utilities: generate synthetic stereo data');
  dataset
    .command('synth')
    .description(
      'Generate a procedural synthetic stereo dataset (textured slanted planes and occluders, exact disparity and ' +
        'occlusion masks) readable as synthetic:<out>. Resumable: rerun the same command to finish an interrupted run.',
    )
    .requiredOption('--out <dir>', 'output folder, e.g. datasets/synthetic')
    .option('--count <n>', 'number of stereo pairs', '1000')
    .option('--size <HxW>', 'image size as HEIGHTxWIDTH: 256x512 is 256 rows by 512 columns', '256x512')
    .option('--max-disp <px>', 'exclusive upper bound of every disparity, in pixels', '96')
    .option('--seed <int>', 'dataset seed: the same seed gives byte-identical files', '0')
    .action(async (flags: SynthFlags) => {
      const args = parseSynthArgs(flags);
      const { writeSyntheticDataset } = await import('@stereo-sdk/stereo');
      const progress = createProgress('synth', args.count, progressStream(io));
      try {
        const result = await writeSyntheticDataset(args.out, {
          count: args.count,
          width: args.width,
          height: args.height,
          maxDisparity: args.maxDisparity,
          seed: args.seed,
          onProgress: (done, _total, s) => progress.update(done, { written: s.written, skipped: s.skipped }),
        });
        progress.stop();
        const rate = result.written > 0 ? ` (${(result.written / result.seconds).toFixed(1)} pairs/s)` : '';
        io.out(
          `synth: ${result.count} pairs in ${args.out} (${args.height}x${args.width}, max disparity ${args.maxDisparity}, seed ${args.seed}): ` +
            `wrote ${result.written}, kept ${result.skipped} existing, ${result.seconds.toFixed(1)} s${rate}\n`,
        );
      } catch (err) {
        progress.stop();
        throw err;
      }
    });
}
