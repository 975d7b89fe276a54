/**
 * `stereo-sdk export --run-dir DIR --out model.onnx [--weights best|last]`: the inference model of
 * a run folder's best validation so far, or of its last checkpoint. `train` and `train-student`
 * export only when they finish, and only the best-validated weights; this exports from a run that
 * is still going (or was stopped), for model selection on other data, e.g. when the synthetic
 * validation and the real scenes disagree.
 */
import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { FileNotFoundError, is, readOnnx, splitCheckpoint } from '@stereo-sdk/core';
import { exportStereoModel, RUN_FILES } from '@stereo-sdk/stereo';
import path from 'node:path';
import type { ProgramIO } from '../program.js';
import { usageError, writeOutput } from './runtime-flags.js';

interface ExportFlags {
  runDir?: string;
  out?: string;
  weights?: string;
}

/** Registers `export` on the program. */
export function registerExportCommand(program: Command, io: ProgramIO): void {
  program
    .command('export')
    .description('Export the best-validated (or the last checkpointed) weights of a train or train-student run folder, running or stopped, as an inference model: BN folded, model contract embedded')
    .option('--run-dir <dir>', 'run folder of `stereo-sdk train` or `train-student`')
    .option('--out <onnx>', 'inference model to write')
    .option('--weights <which>', 'best (the best validation so far) or last (the last checkpoint) (default best)')
    .action(async (flags: ExportFlags) => {
      if (!flags.runDir) throw usageError('export needs --run-dir DIR');
      if (!flags.out) throw usageError('export needs --out model.onnx');
      const runDir = flags.runDir;
      const out = flags.out;
      const weights = flags.weights ?? 'best';
      is.assertOneOf('--weights', weights, ['best', 'last']);
      if (!existsSync(path.join(runDir, RUN_FILES.config))) {
        throw new FileNotFoundError(path.join(runDir, RUN_FILES.config), 'run config', 'Point --run-dir at the folder a `train` or `train-student` run writes (default <out>.run).');
      }
      const from = path.join(runDir, weights === 'best' ? RUN_FILES.best : RUN_FILES.checkpoint);
      if (!existsSync(from)) {
        throw weights === 'best'
          ? new FileNotFoundError(from, 'best-validation model', 'The run has not validated yet (see --val-every), or it trains without validation; export its last checkpoint with --weights last.')
          : new FileNotFoundError(from, 'checkpoint', 'The run has not written a checkpoint yet (see --ckpt-every).');
      }
      // A checkpoint also holds the optimizer moments and the step counter: keep the model only.
      const source = weights === 'best' ? await readOnnx(from) : splitCheckpoint(await readOnnx(from), from).model;
      await writeOutput(out, 'the model', async () => void (await exportStereoModel(out, source)));
      io.out(`export: wrote ${out} from ${from}\n`);
    });
}
