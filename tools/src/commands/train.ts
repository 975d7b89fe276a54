/**
 * `stereo-sdk train --arch student|teacher --data SPEC --out model.onnx ...`: supervised training
 * of a stereo network (`trainStereo` in @stereo-sdk/stereo), with progress bars on a terminal and
 * plain lines otherwise, Ctrl-C stopping at a checkpoint, `--resume` continuing a run, `--init`
 * starting from an existing model, and at the end a JSON + Markdown summary and a loss/validation
 * chart in the run folder. The options are shared with `train-student` (training-options.ts).
 */
import type { Command } from 'commander';
import path from 'node:path';
import { InvalidParameterError, StereoSdkError } from '@stereo-sdk/core';
import type { StereoTrainingOptions, StereoTrainingResult, TrainingRunOptions, TrainLogLine } from '@stereo-sdk/stereo';
import { fixed, grouped } from '../report/table.js';
import type { ProgramIO } from '../program.js';
import { addTrainingOptions, duration, printRunEnd, progressReporter, sharedOptionsFromFlags, withStopSignals, writeTrainingSummary, type TrainingFlags } from './training-options.js';

export { parseCrop, parseDuration } from './training-options.js';

/** Flags to `trainStereo` options; only flags that were given become options. */
export function trainOptionsFromFlags(f: TrainingFlags): StereoTrainingOptions & Pick<TrainingRunOptions, 'runDir' | 'resume' | 'threads'> {
  const { lossWeights, ...o } = sharedOptionsFromFlags(f);
  if (!o.resume && (o.data === undefined || o.out === undefined)) throw new InvalidParameterError('train needs --data SPEC and --out model.onnx (or --resume with --run-dir DIR)');
  return { ...o, ...(lossWeights ? { loss: lossWeights } : {}) };
}

/** The summary report: JSON, Markdown, and the loss/validation chart, written to the run folder. */
async function writeSummary(r: StereoTrainingResult): Promise<{ json: string; md: string; png: string }> {
  const c = r.config;
  return writeTrainingSummary<TrainLogLine>(r, ({ train, tail, mean }) => ({
    title: `Training summary: ${c.arch} → ${path.basename(c.out)}`,
    chartTitle: `${c.arch} training`,
    networkLabel: 'arch',
    json: { final: { loss: mean((l) => l.loss), trainEpe: mean((l) => l.epe), overSteps: tail.length } },
    settings: {
      afterOptimizer: [['loss', `smooth-L1 ${c.loss.full}·full + ${c.loss.quarter}·quarter`]],
      final: ['final train loss / EPE', `${fixed(mean((l) => l.loss), 3)} / ${fixed(mean((l) => l.epe), 3)} (mean of the last ${tail.length} steps)`],
    },
    series: [
      { label: 'train loss', points: train.map((l) => [l.step, l.loss]) },
      { label: 'train EPE', points: train.map((l) => [l.step, l.epe]) },
    ],
  }));
}

/** Runs the command; exported for programmatic use and tests. */
export async function runTrain(flags: TrainingFlags, io: ProgramIO): Promise<void> {
  const options = trainOptionsFromFlags(flags);
  const { trainStereo } = await import('@stereo-sdk/stereo');
  const progress = progressReporter<TrainLogLine>(io, 'train');
  const result = await withStopSignals((signal) => trainStereo({ ...options, signal, onEvent: progress.onEvent }), progress);
  const c = result.config;
  if (result.stopped) {
    throw new StereoSdkError('ERR_INTERRUPTED', `training stopped at step ${result.step} of ${c.steps}; checkpoint saved in ${result.runDir}; continue with: stereo-sdk train --resume --run-dir ${result.runDir}`);
  }
  const files = await writeSummary(result);
  const train = result.log.filter((l): l is TrainLogLine => l.type === 'train');
  const last = train.at(-1);
  io.out(`train: ${c.arch} (${grouped(result.params)} parameters) on ${c.data}, batch ${c.batch}, crop ${c.crop.height}x${c.crop.width}\n`);
  io.out(`trained ${result.step} steps${result.outOfTime ? ` of ${c.steps} (time budget reached)` : ''} in ${duration(result.seconds)}; last loss ${fixed(last?.loss, 3)}, train EPE ${fixed(last?.epe, 3)}\n`);
  printRunEnd(io, result, files);
}

/** Registers `stereo-sdk train`. */
export function registerTrainCommand(program: Command, io: ProgramIO): void {
  const cmd = program
    .command('train')
    .description('Train a student or teacher stereo network on data with ground truth; exports an inference ONNX (BN folded, model contract)');
  addTrainingOptions(cmd, {
    lossWeights: 'weights of the full-resolution and quarter-resolution smooth-L1 terms (default 1,0.5)',
    augment: 'color,occlusion or none (default: both for disk data, occlusion for synth:)',
  }).action(async (flags: TrainingFlags) => runTrain(flags, io));
}
