/**
 * What `stereo-sdk train` and `stereo-sdk train-student` share: the option definitions (data,
 * validation, steps or time, batch, crop, optimizer, augmentation, network, init, checkpoints,
 * resume, seed, threads), their parsing into the programmatic options, the progress reporter
 * (a bar on a terminal, plain lines otherwise), the run summary (JSON, Markdown, curves) and the
 * end of the printed report.
 */
import type { Command } from 'commander';
import path from 'node:path';
import { InvalidParameterError, is, writeFileAtomic } from '@stereo-sdk/core';
import {
  STUDENT_VARIANTS,
  type RunEvent,
  type StepLogLine,
  type StereoNetConfigInit,
  type StereoTrainingConfig,
  type StereoTrainingOptions,
  type StereoTrainingResult,
  type TrainingRunOptions,
  type ValLogLine,
} from '@stereo-sdk/stereo';
import type { ProgramIO } from '../program.js';
import { createProgress, type Progress } from '../progress.js';
import { roundNumbers, writeJson } from '../report/json.js';
import { fixed, grouped, markdownTable, percent, type Table } from '../report/table.js';
import { parseIntegerFlag, parseNumberFlag, progressStream, writeOutput } from './runtime-flags.js';

/** Raw strings of the shared options as commander hands them over (no defaults: a resumed run must see only what was typed). */
export interface TrainingFlags {
  arch?: string;
  init?: string;
  data?: string;
  /** `false` from `--no-val`. */
  val?: string | false;
  valLimit?: string;
  out?: string;
  steps?: string;
  time?: string;
  batch?: string;
  crop?: string;
  lr?: string;
  weightDecay?: string;
  schedule?: string;
  warmup?: string;
  clipGrad?: string;
  lossWeights?: string;
  augment?: string;
  net?: string;
  widthMult?: string;
  maxDisp?: string;
  valEvery?: string;
  ckptEvery?: string;
  select?: string;
  runDir?: string;
  resume?: boolean;
  seed?: string;
  threads?: string;
}

/** Option help that differs between the commands. */
export interface TrainingOptionHelp {
  /** Help of `--augment` (the defaults differ). */
  augment: string;
  /** Help of `--loss-weights`. */
  lossWeights: string;
}

/**
 * Adds the shared options to a command.
 * @example addTrainingOptions(program.command('train'), { augment: '...', lossWeights: '...' });
 */
export function addTrainingOptions(cmd: Command, help: TrainingOptionHelp): Command {
  return cmd
    .option('--arch <name>', 'student or teacher (default student)')
    .option('--init <onnx>', 'start from an existing model (e.g. an exported or pruned student, any widths; trained BN-folded) instead of fresh weights')
    .option('--data <spec>', 'training data: a dataset spec (synthetic:DIR, sceneflow:DIR, kitti2015:DIR, pairs:DIR, ...) or synth:[?width=W&height=H&maxDisparity=D&seed=S] generated in memory (default: crop size, disparities below width·96/512)')
    .option('--val <spec>', 'validation data (default: the val split of --data, or 16 held-out scenes for synth:)')
    .option('--no-val', 'train without validation')
    .option('--val-limit <n>', 'validate on the first n samples only')
    .option('--out <onnx>', 'output inference model')
    .option('--steps <n>', 'optimizer steps (default 1000)')
    .option('--time <duration>', 'time budget instead of --steps, e.g. 30m, 1h30m; the step count is measured at the start')
    .option('--batch <n>', 'samples per step (default 4)')
    .option('--crop <HxW>', 'training crop as HEIGHTxWIDTH, multiples of the stride (default 256x512)')
    .option('--lr <x>', 'peak AdamW learning rate (default 1e-3)')
    .option('--weight-decay <x>', 'AdamW weight decay (default 1e-4)')
    .option('--schedule <name>', 'constant, cosine or onecycle (default cosine)')
    .option('--warmup <n>', 'linear warmup steps (default 5% of the steps, at most 200; 0 for onecycle)')
    .option('--clip-grad <x>', 'clip the global gradient norm (default off)')
    .option('--loss-weights <f,q>', help.lossWeights)
    .option('--augment <list>', help.augment)
    .option('--net <variant>', `student variant: ${Object.keys(STUDENT_VARIANTS).join(', ')} (volume, head and aggregation at 1/8 for KITTI-size speed); default the standard student`)
    .option('--width-mult <w>', 'network width multiplier (default 1)')
    .option('--max-disp <d>', 'network max disparity, a multiple of 4 (default 192)')
    .option('--val-every <n>', 'validate every n steps, 0 = only at the end (default a tenth of the steps)')
    .option('--ckpt-every <n>', 'checkpoint every n steps (default 100; also after each validation)')
    .option('--select <metric>', 'validation metric that picks the exported weights: bad2 or epe (default bad2)')
    .option('--run-dir <dir>', 'run folder for config, checkpoints, log and summary (default <out>.run)')
    .option('--resume', 'continue the run in --run-dir (or <out>.run) from its last checkpoint')
    .option('--seed <s>', 'seed of weights, data order, augmentation and generated data (default 0)')
    .option('--threads <n>', 'intra-op threads (default: one per core)');
}

/**
 * Parses a duration: `90`, `90s`, `30m`, `1.5h`, `1h30m` (a bare number is seconds).
 * @returns seconds
 * @throws InvalidParameterError naming `flag`
 */
export function parseDuration(flag: string, raw: string): number {
  const text = raw.trim().toLowerCase();
  const unit = { s: 1, m: 60, h: 3600 } as const;
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)([hms]?)/g)];
  const seconds = parts.reduce((sum, m) => sum + Number(m[1]) * unit[(m[2] || 's') as keyof typeof unit], 0);
  if (!/^(\d+(\.\d+)?[hms]?)+$/.test(text) || parts.length === 0 || !(seconds >= 1)) throw is.invalidParameterError(flag, 'a duration such as 30m, 1h30m, 90s or 45 (seconds), at least 1 s', raw);
  return seconds;
}

/** Parses `HxW` (`256x512`: 256 rows, 512 columns). */
export function parseCrop(flag: string, raw: string): { height: number; width: number } {
  const m = /^\s*(\d+)\s*[xX×]\s*(\d+)\s*$/.exec(raw);
  if (!m) throw is.invalidParameterError(flag, 'HEIGHTxWIDTH, e.g. 256x512 (256 rows, 512 columns)', raw);
  return { height: parseIntegerFlag(`${flag} height`, m[1]!, 4, 8192), width: parseIntegerFlag(`${flag} width`, m[2]!, 4, 8192) };
}

/** The shared options, parsed; `lossWeights` stays apart (train calls it `loss`, train-student `gtLoss`). */
export type SharedTrainingOptions = Omit<StereoTrainingOptions, 'loss'> & Pick<TrainingRunOptions, 'runDir' | 'resume' | 'threads'> & { lossWeights?: { full: number; quarter: number } };

/** Flags to options; only flags that were given become options. */
export function sharedOptionsFromFlags(f: TrainingFlags): SharedTrainingOptions {
  const o: SharedTrainingOptions = {};
  if (f.arch !== undefined) {
    if (f.arch !== 'student' && f.arch !== 'teacher') throw is.invalidParameterError('--arch', 'student or teacher', f.arch);
    o.arch = f.arch;
  }
  if (f.init !== undefined) o.init = f.init;
  if (f.data !== undefined) o.data = f.data;
  if (f.val !== undefined) o.val = f.val === false ? null : f.val;
  if (f.valLimit !== undefined) o.valLimit = parseIntegerFlag('--val-limit', f.valLimit, 1, 1e9);
  if (f.out !== undefined) o.out = f.out;
  if (f.steps !== undefined && f.time !== undefined) throw new InvalidParameterError('Give either --steps or --time, not both');
  if (f.steps !== undefined) o.steps = parseIntegerFlag('--steps', f.steps, 1, 1e8);
  if (f.time !== undefined) o.time = parseDuration('--time', f.time);
  if (f.batch !== undefined) o.batch = parseIntegerFlag('--batch', f.batch, 1, 256);
  if (f.crop !== undefined) o.crop = parseCrop('--crop', f.crop);
  if (f.lr !== undefined) o.lr = parseNumberFlag('--lr', f.lr, Number.MIN_VALUE, 1);
  if (f.weightDecay !== undefined) o.weightDecay = parseNumberFlag('--weight-decay', f.weightDecay, 0, 1);
  if (f.schedule !== undefined) {
    if (!['constant', 'cosine', 'onecycle'].includes(f.schedule)) throw is.invalidParameterError('--schedule', 'constant, cosine or onecycle', f.schedule);
    o.schedule = f.schedule as StereoTrainingOptions['schedule'];
  }
  if (f.warmup !== undefined) o.warmup = parseIntegerFlag('--warmup', f.warmup, 0, 1e8);
  if (f.clipGrad !== undefined) o.clipGradNorm = parseNumberFlag('--clip-grad', f.clipGrad, Number.MIN_VALUE, 1e9);
  if (f.lossWeights !== undefined) {
    const parts = f.lossWeights.split(',');
    if (parts.length !== 2) throw is.invalidParameterError('--loss-weights', 'FULL,QUARTER, e.g. 1,0.5', f.lossWeights);
    o.lossWeights = { full: parseNumberFlag('--loss-weights full', parts[0]!, 0, 1e6), quarter: parseNumberFlag('--loss-weights quarter', parts[1]!, 0, 1e6) };
  }
  if (f.augment !== undefined) {
    const names = f.augment.split(',').map((s) => s.trim().toLowerCase()).filter((s) => s !== '');
    if (names.length === 0 || names.some((n) => !['color', 'occlusion', 'none'].includes(n)) || (names.includes('none') && names.length > 1)) {
      throw is.invalidParameterError('--augment', 'none, or a comma-separated list of color, occlusion', f.augment);
    }
    o.augment = { color: names.includes('color'), occlusion: names.includes('occlusion') };
  }
  if (f.net !== undefined) {
    if (!Object.hasOwn(STUDENT_VARIANTS, f.net)) throw is.invalidParameterError('--net', `one of ${Object.keys(STUDENT_VARIANTS).join(', ')}`, f.net);
    if (f.arch === 'teacher') throw new InvalidParameterError(`--net ${f.net} is a student variant; drop it for --arch teacher`);
  }
  const widthMultiplier = f.widthMult !== undefined ? parseNumberFlag('--width-mult', f.widthMult, 1 / 64, 64) : undefined;
  let maxDisparity: number | undefined;
  if (f.maxDisp !== undefined) {
    maxDisparity = parseIntegerFlag('--max-disp', f.maxDisp, 4, 1024);
    if (maxDisparity % 4 !== 0) throw is.invalidParameterError('--max-disp', 'a multiple of 4 in [4, 1024]', f.maxDisp);
  }
  const net: StereoNetConfigInit = {
    ...(f.net !== undefined ? STUDENT_VARIANTS[f.net] : {}),
    ...(widthMultiplier !== undefined ? { widthMultiplier } : {}),
    ...(maxDisparity !== undefined ? { maxDisparity } : {}),
  };
  if (Object.keys(net).length > 0) o.net = net;
  if (f.valEvery !== undefined) o.valEvery = parseIntegerFlag('--val-every', f.valEvery, 0, 1e8);
  if (f.ckptEvery !== undefined) o.ckptEvery = parseIntegerFlag('--ckpt-every', f.ckptEvery, 1, 1e8);
  if (f.select !== undefined) {
    if (f.select !== 'epe' && f.select !== 'bad2') throw is.invalidParameterError('--select', 'epe or bad2', f.select);
    o.selectBy = f.select;
  }
  if (f.seed !== undefined) o.seed = parseIntegerFlag('--seed', f.seed, 0, 2 ** 32 - 1);
  if (f.runDir !== undefined) o.runDir = f.runDir;
  if (f.resume) o.resume = true;
  if (f.threads !== undefined) o.threads = parseIntegerFlag('--threads', f.threads, 1, 64);
  return o;
}

/** `12.3s`, `4m05s`, `1h07m`. */
export const duration = (s: number): string => (s < 60 ? `${s.toFixed(1)}s` : s < 3600 ? `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, '0')}s` : `${Math.floor(s / 3600)}h${String(Math.round((s % 3600) / 60)).padStart(2, '0')}m`);

/**
 * Turns run events into a progress bar (terminal) or plain lines.
 * @param label - the command name, prefixing lines (`train`, `train-student`)
 */
export function progressReporter<L extends StepLogLine>(io: ProgramIO, label: string): { onEvent: (e: RunEvent<L>) => void; stop: () => void } {
  const stream = progressStream(io);
  let bar: Progress | undefined;
  let first = { step: 0, at: 0 };
  let lastVal = '';
  return {
    onEvent(e) {
      if (e.type === 'calibrated') io.err(`${label}: time budget → ${e.totalSteps} steps (${fixed(e.stepMs, 0)} ms per step measured)\n`);
      if (e.type === 'start') {
        first = { step: e.step, at: performance.now() };
        if (e.resumed) io.err(`${label}: resuming ${e.runDir} at step ${e.step} of ${e.totalSteps}\n`);
        bar = createProgress(label, e.totalSteps, stream);
      }
      if (e.type === 'validation') {
        lastVal = fixed(e.epe, 3);
        if (!stream.isTTY) io.err(`val @ step ${e.step}: EPE ${fixed(e.epe, 3)} bad-2 ${percent(e.bad2)} (${e.scenes} scenes${e.best ? ', best so far' : ''})\n`);
      }
      if (e.type === 'step') {
        const rate = (e.step - first.step) / ((performance.now() - first.at) / 1000);
        const eta = rate > 0 ? duration((e.totalSteps - e.step) / rate) : '–';
        bar?.update(e.step, { loss: fixed(e.loss, 3), lr: e.lr.toExponential(2), 'step/s': fixed(rate, 2), ...(stream.isTTY ? {} : { eta }), ...(lastVal ? { 'val-epe': lastVal } : {}) });
      }
    },
    stop: () => bar?.stop(),
  };
}

/** Moving average of `y` over the points, sampled to at most `points` points. */
function smoothed(points: readonly [number, number][], count = 400): [number, number][] {
  const window = Math.max(1, Math.round(points.length / 50));
  const every = Math.max(1, Math.floor(points.length / count));
  const out: [number, number][] = [];
  let sum = 0;
  for (let i = 0; i < points.length; i++) {
    sum += points[i]![1];
    if (i >= window) sum -= points[i - window]![1];
    if (i % every === 0 || i === points.length - 1) out.push([points[i]![0], sum / Math.min(i + 1, window)]);
  }
  return out.filter(([, y]) => y > 0 && Number.isFinite(y));
}

/** What the summary of a run shows. */
export interface SummaryInput {
  readonly runDir: string;
  /** Markdown title. */
  readonly title: string;
  /** The JSON summary (rounded to 5 digits when written). */
  readonly json: Record<string, unknown>;
  /** Rows of the Markdown settings table. */
  readonly settings: readonly (readonly [string, string])[];
  readonly validations: readonly ValLogLine[];
  /** Per-step series for the chart (smoothed), e.g. the loss and an EPE. */
  readonly series: readonly { readonly label: string; readonly points: readonly [number, number][] }[];
  readonly chartTitle: string;
}

/**
 * Writes `summary.json`, `summary.md` and `curves.png` into the run folder.
 * @returns the three paths
 * @throws StereoSdkError (ERR_OUTPUT) naming the folder when it cannot be written
 */
export async function writeRunSummary(s: SummaryInput): Promise<{ json: string; md: string; png: string }> {
  const files = { json: path.join(s.runDir, 'summary.json'), md: path.join(s.runDir, 'summary.md'), png: path.join(s.runDir, 'curves.png') };
  await writeOutput(s.runDir, 'training summary', async () => {
    await writeJson(files.json, roundNumbers(s.json, 5));
    const settings: Table = { header: ['setting', 'value'], align: ['left', 'left'], rows: s.settings.map((r) => [...r]) };
    const vals = s.validations;
    const valTable: Table = {
      header: ['step', 'EPE', 'bad-1', 'bad-2', 'bad-3', 'D1', 'best'],
      rows: vals.map((v) => [String(v.step), fixed(v.epe, 3), percent(v.bad1), percent(v.bad2), percent(v.bad3), percent(v.d1), v.best ? '✓' : '']),
    };
    const md = [`# ${s.title}`, '', markdownTable(settings), vals.length ? `## Validation (${vals.at(-1)!.scenes} scenes, means over scenes)\n\n${markdownTable(valTable)}` : '', '![loss and validation curves](curves.png)', ''].join('\n');
    await writeFileAtomic(files.md, md);
    const { xyPlotSvg, writePng } = await import('../report/index.js');
    const series = [
      ...s.series.map((x) => ({ label: `${x.label} (smoothed)`, points: smoothed(x.points), style: 'line' as const })),
      ...(vals.length ? [{ label: 'val EPE', points: vals.filter((v) => v.epe > 0).map((v) => [v.step, v.epe] as [number, number]) }] : []),
    ].filter((x) => x.points.length > 0);
    if (series.length > 0) await writePng(files.png, xyPlotSvg(series, { title: s.chartTitle, xLabel: 'step', yLabel: 'pixels (log scale)', yScale: 'log' }));
  });
  return files;
}

/** A finished `train` or `train-student` run (a `trainStereo` or `distillStereo` result), as its report reads it. */
export type FinishedRun<L extends StepLogLine> = Pick<StereoTrainingResult, 'runDir' | 'step' | 'outOfTime' | 'model' | 'exportedStep' | 'best' | 'seconds' | 'params'> & {
  readonly config: Omit<StereoTrainingConfig, 'loss' | 'out'>;
  readonly log: readonly (L | ValLogLine)[];
};

/** The training lines of a run, the last ones its final figures average, and that mean. */
export interface RunTail<L extends StepLogLine> {
  readonly train: readonly L[];
  readonly tail: readonly L[];
  /** Mean of a figure over `tail` (NaN where a line lacks it). */
  readonly mean: (get: (l: L) => number | undefined) => number;
}

/** What a command adds to the shared summary, each part in its place. */
export interface SummaryParts {
  readonly title: string;
  readonly chartTitle: string;
  /** Label of the network row (`arch`, `student`). */
  readonly networkLabel: string;
  /** JSON fields after `params`, after `val` and after `stepMs`, and the `final` figures. */
  readonly json: { readonly afterParams?: Record<string, unknown>; readonly afterVal?: Record<string, unknown>; readonly afterTiming?: Record<string, unknown>; readonly final: Record<string, unknown> };
  /** Settings rows after the network row, the optimizer row and the augmentation row; the end of the validation row; the final-figures row. */
  readonly settings: {
    readonly afterNetwork?: readonly (readonly [string, string])[];
    readonly validationNote?: string;
    readonly afterOptimizer?: readonly (readonly [string, string])[];
    readonly afterAugmentation?: readonly (readonly [string, string])[];
    readonly final: readonly [string, string];
  };
  readonly series: SummaryInput['series'];
}

/**
 * Writes the summary of a finished `train` or `train-student` run (see `writeRunSummary`): what both
 * report (network, data, validation, steps, batch and crop, optimizer, augmentation, seed, time,
 * the exported model, the validations) with the command's own parts, which `parts` gives from the
 * run's training lines.
 * @returns the three paths
 * @throws StereoSdkError (ERR_OUTPUT) naming the folder when it cannot be written
 */
export async function writeTrainingSummary<L extends StepLogLine>(r: FinishedRun<L>, parts: (lines: RunTail<L>) => SummaryParts): Promise<{ json: string; md: string; png: string }> {
  const train = r.log.filter((l): l is L => l.type === 'train');
  const vals = r.log.filter((l): l is ValLogLine => l.type === 'val');
  const tail = train.slice(-Math.max(1, Math.min(50, Math.round(train.length / 10))));
  const mean = (get: (l: L) => number | undefined) => tail.reduce((a, l) => a + (get(l) ?? NaN), 0) / Math.max(1, tail.length);
  // Overall rate (data, validation and checkpoints included) and the bare training step's time.
  const stepsPerSecond = r.seconds > 0 ? r.step / r.seconds : NaN;
  const stepMs = train.length > 0 ? train.reduce((a, l) => a + l.ms, 0) / train.length : NaN;
  const c = r.config;
  const p = parts({ train, tail, mean });
  return writeRunSummary({
    runDir: r.runDir,
    title: p.title,
    json: {
      arch: c.arch,
      params: r.params,
      ...p.json.afterParams,
      data: c.data,
      val: c.val,
      ...p.json.afterVal,
      model: r.model,
      exportedStep: r.exportedStep,
      steps: r.step,
      plannedSteps: c.steps,
      outOfTime: r.outOfTime,
      seconds: r.seconds,
      stepsPerSecond,
      stepMs,
      ...p.json.afterTiming,
      final: p.json.final,
      best: r.best,
      validations: vals.map(({ type: _t, ...v }) => v),
      config: c,
      runDir: r.runDir,
    },
    settings: [
      [p.networkLabel, `${c.arch} (${grouped(r.params)} parameters)${Object.keys(c.net).length ? ` ${JSON.stringify(c.net)}` : ''}${c.init !== null ? `, from ${c.init}` : ''}`],
      ...(p.settings.afterNetwork ?? []),
      ['data', `${c.data} (${c.dataSplit})`],
      ['validation', c.val === null ? 'none' : `${c.val} (${c.valSplit}${c.valLimit !== null ? `, first ${c.valLimit}` : ''}${p.settings.validationNote ?? ''})`],
      ['steps', `${r.step} of ${c.steps}${c.timeBudget !== null ? ` (time budget ${duration(c.timeBudget)})` : ''}`],
      ['batch × crop (H×W)', `${c.batch} × ${c.crop.height}×${c.crop.width}`],
      ['optimizer', `AdamW lr ${c.lr}, weight decay ${c.weightDecay}, ${c.schedule} schedule, warmup ${c.warmup}${c.clipGradNorm !== null ? `, clip ${c.clipGradNorm}` : ''}`],
      ...(p.settings.afterOptimizer ?? []),
      ['augmentation', [c.augment.color ? 'color jitter' : '', c.augment.occlusion ? 'occlusion patches' : ''].filter(Boolean).join(', ') || 'crop only'],
      ...(p.settings.afterAugmentation ?? []),
      ['seed', String(c.seed)],
      ['wall time', `${duration(r.seconds)} (${fixed(stepsPerSecond, 2)} steps/s overall; ${fixed(stepMs, 0)} ms per training step in onnxruntime)`],
      p.settings.final,
      ['exported', r.model ? `${r.model} (weights of step ${r.exportedStep}${r.best ? `, best ${c.selectBy}` : ''})` : 'not yet'],
    ],
    validations: vals,
    series: p.series,
    chartTitle: p.chartTitle,
  });
}

/**
 * Prints the end of a finished run's report: the best validation (`valNote` ends its parentheses),
 * the exported model, and the run folder with its files (`summary` as `writeTrainingSummary` wrote them).
 */
export function printRunEnd(io: ProgramIO, r: FinishedRun<StepLogLine>, summary: { json: string; md: string; png: string }, valNote = ''): void {
  if (r.best) io.out(`best validation at step ${r.best.step}: EPE ${fixed(r.best.epe, 3)}, bad-2 ${percent(r.best.bad2)} (${r.best.scenes} scenes of ${r.config.val}${valNote})\n`);
  io.out(`wrote ${r.model} (weights of step ${r.exportedStep}, BN folded, model contract embedded)\n`);
  io.out(`run folder ${r.runDir}: ${[summary.json, summary.md, summary.png].map((f) => path.basename(f)).join(', ')}, log.jsonl, checkpoint.onnx${r.best ? ', best.onnx' : ''}\n`);
}

/**
 * Runs a training function with Ctrl-C / SIGTERM turned into a stop at the next step, and the
 * progress reporter stopped at the end.
 */
export async function withStopSignals<T>(run: (signal: AbortSignal) => Promise<T>, progress: { stop: () => void }): Promise<T> {
  const controller = new AbortController();
  const onSignal = () => controller.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    return await run(controller.signal);
  } finally {
    progress.stop();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
