/**
 * `stereo-sdk export --run-dir DIR --out model.onnx`: the inference model of a run folder's best
 * validation so far. `train` and `train-student` export only when they finish; this exports from a
 * run that is still going (or was stopped), for model selection on other data while it trains.
 */
import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { FileNotFoundError, readOnnx } from '@stereo-sdk/core';
import { exportStereoModel, RUN_FILES } from '@stereo-sdk/stereo';
import path from 'node:path';
import type { ProgramIO } from '../program.js';
import { usageError, writeOutput } from './runtime-flags.js';

interface ExportFlags {
  runDir?: string;
  out?: string;
}

/** Registers `export` on the program. */
export function registerExportCommand(program: Command, io: ProgramIO): void {
  program
    .command('export')
    .description("Export the best-validated weights of a train or train-student run folder (running or stopped) as an inference model: BN folded, model contract embedded")
    .option('--run-dir <dir>', 'run folder of `stereo-sdk train` or `train-student`')
    .option('--out <onnx>', 'inference model to write')
    .action(async (flags: ExportFlags) => {
      if (!flags.runDir) throw usageError('export needs --run-dir DIR');
      if (!flags.out) throw usageError('export needs --out model.onnx');
      const runDir = flags.runDir;
      const out = flags.out;
      if (!existsSync(path.join(runDir, RUN_FILES.config))) {
        throw new FileNotFoundError(path.join(runDir, RUN_FILES.config), 'run config', 'Point --run-dir at the folder a `train` or `train-student` run writes (default <out>.run).');
      }
      const best = path.join(runDir, RUN_FILES.best);
      if (!existsSync(best)) {
        throw new FileNotFoundError(best, 'best-validation model', 'The run has not validated yet (see --val-every), or it trains without validation; its final model is written by the run itself.');
      }
      const source = await readOnnx(best);
      await writeOutput(out, 'the model', async () => void (await exportStereoModel(out, source)));
      io.out(`export: wrote ${out} from ${best}\n`);
    });
}
