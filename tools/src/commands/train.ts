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
import type { StereoTrainingOptions, StereoTrainingResult, TrainingRunOptions, TrainLogLine, ValLogLine } from '@stereo-sdk/stereo';
import { fixed, grouped, percent } from '../report/table.js';
import type { ProgramIO } from '../program.js';
import { addTrainingOptions, duration, progressReporter, sharedOptionsFromFlags, withStopSignals, writeRunSummary, type TrainingFlags } from './training-options.js';

export { parseCrop, parseDuration } from './training-options.js';

/** Flags to `trainStereo` options; only flags that were given become options. */
export function trainOptionsFromFlags(f: TrainingFlags): StereoTrainingOptions & Pick<TrainingRunOptions, 'runDir' | 'resume' | 'threads'> {
  const { lossWeights, ...o } = sharedOptionsFromFlags(f);
  if (!o.resume && (o.data === undefined || o.out === undefined)) throw new InvalidParameterError('train needs --data SPEC and --out model.onnx (or --resume with --run-dir DIR)');
  return { ...o, ...(lossWeights ? { loss: lossWeights } : {}) };
}

/** The summary report: JSON, Markdown, and the loss/validation chart, written to the run folder. */
async function writeSummary(r: StereoTrainingResult): Promise<{ json: string; md: string; png: string }> {
  const train = r.log.filter((l): l is TrainLogLine => l.type === 'train');
  const vals = r.log.filter((l): l is ValLogLine => l.type === 'val');
  const tail = train.slice(-Math.max(1, Math.min(50, Math.round(train.length / 10))));
  const mean = (k: 'loss' | 'epe') => tail.reduce((a, l) => a + l[k], 0) / Math.max(1, tail.length);
  // Overall rate (data, validation and checkpoints included) and the bare training step's time.
  const stepsPerSecond = r.seconds > 0 ? r.step / r.seconds : NaN;
  const stepMs = train.length > 0 ? train.reduce((a, l) => a + l.ms, 0) / train.length : NaN;
  const c = r.config;
  return writeRunSummary({
    runDir: r.runDir,
    title: `Training summary: ${c.arch} → ${path.basename(c.out)}`,
    json: {
      arch: c.arch,
      params: r.params,
      data: c.data,
      val: c.val,
      model: r.model,
      exportedStep: r.exportedStep,
      steps: r.step,
      plannedSteps: c.steps,
      outOfTime: r.outOfTime,
      seconds: r.seconds,
      stepsPerSecond,
      stepMs,
      final: { loss: mean('loss'), trainEpe: mean('epe'), overSteps: tail.length },
      best: r.best,
      validations: vals.map(({ type: _t, ...v }) => v),
      config: c,
      runDir: r.runDir,
    },
    settings: [
      ['arch', `${c.arch} (${grouped(r.params)} parameters)${Object.keys(c.net).length ? ` ${JSON.stringify(c.net)}` : ''}${c.init !== null ? `, from ${c.init}` : ''}`],
      ['data', `${c.data} (${c.dataSplit})`],
      ['validation', c.val === null ? 'none' : `${c.val} (${c.valSplit}${c.valLimit !== null ? `, first ${c.valLimit}` : ''})`],
      ['steps', `${r.step} of ${c.steps}${c.timeBudget !== null ? ` (time budget ${duration(c.timeBudget)})` : ''}`],
      ['batch × crop (H×W)', `${c.batch} × ${c.crop.height}×${c.crop.width}`],
      ['optimizer', `AdamW lr ${c.lr}, weight decay ${c.weightDecay}, ${c.schedule} schedule, warmup ${c.warmup}${c.clipGradNorm !== null ? `, clip ${c.clipGradNorm}` : ''}`],
      ['loss', `smooth-L1 ${c.loss.full}·full + ${c.loss.quarter}·quarter`],
      ['augmentation', [c.augment.color ? 'color jitter' : '', c.augment.occlusion ? 'occlusion patches' : ''].filter(Boolean).join(', ') || 'crop only'],
      ['seed', String(c.seed)],
      ['wall time', `${duration(r.seconds)} (${fixed(stepsPerSecond, 2)} steps/s overall; ${fixed(stepMs, 0)} ms per training step in onnxruntime)`],
      ['final train loss / EPE', `${fixed(mean('loss'), 3)} / ${fixed(mean('epe'), 3)} (mean of the last ${tail.length} steps)`],
      ['exported', r.model ? `${r.model} (weights of step ${r.exportedStep}${r.best ? `, best ${c.selectBy}` : ''})` : 'not yet'],
    ],
    validations: vals,
    series: [
      { label: 'train loss', points: train.map((l) => [l.step, l.loss]) },
      { label: 'train EPE', points: train.map((l) => [l.step, l.epe]) },
    ],
    chartTitle: `${c.arch} training`,
  });
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
  if (result.best) io.out(`best validation at step ${result.best.step}: EPE ${fixed(result.best.epe, 3)}, bad-2 ${percent(result.best.bad2)} (${result.best.scenes} scenes of ${c.val})\n`);
  io.out(`wrote ${result.model} (weights of step ${result.exportedStep}, BN folded, model contract embedded)\n`);
  io.out(`run folder ${result.runDir}: ${[files.json, files.md, files.png].map((f) => path.basename(f)).join(', ')}, log.jsonl, checkpoint.onnx${result.best ? ', best.onnx' : ''}\n`);
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
