/**
 * `stereo-sdk train --arch student|teacher --data SPEC --out model.onnx ...`: supervised training
 * of a stereo network (`trainStereo` in @stereo-sdk/stereo), with progress bars on a terminal and
 * plain lines otherwise, Ctrl-C stopping at a checkpoint, `--resume` continuing a run, and at the
 * end a JSON + Markdown summary and a loss/validation chart in the run folder.
 */
import type { Command } from 'commander';
import path from 'node:path';
import { InvalidParameterError, is, StereoSdkError, writeFileAtomic } from '@stereo-sdk/core';
import type { StereoTrainingEvent, StereoTrainingOptions, StereoTrainingResult, TrainingRunOptions, TrainLogLine, ValLogLine } from '@stereo-sdk/stereo';
import { fixed, grouped, markdownTable, percent, type Table } from '../report/table.js';
import { roundNumbers, writeJson } from '../report/json.js';
import type { ProgramIO } from '../program.js';
import { createProgress, type Progress } from '../progress.js';
import { parseIntegerFlag, parseNumberFlag, progressStream, writeOutput } from './runtime-flags.js';

/** Raw option strings as commander hands them over (no defaults: a resumed run must see only what was typed). */
interface TrainFlags {
  arch?: string;
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

/** Flags to `trainStereo` options; only flags that were given become options. */
export function trainOptionsFromFlags(f: TrainFlags): StereoTrainingOptions & Pick<TrainingRunOptions, 'runDir' | 'resume' | 'threads'> {
  const o: StereoTrainingOptions & Pick<TrainingRunOptions, 'runDir' | 'resume' | 'threads'> = {};
  if (f.arch !== undefined) {
    if (f.arch !== 'student' && f.arch !== 'teacher') throw is.invalidParameterError('--arch', 'student or teacher', f.arch);
    o.arch = f.arch;
  }
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
    o.loss = { full: parseNumberFlag('--loss-weights full', parts[0]!, 0, 1e6), quarter: parseNumberFlag('--loss-weights quarter', parts[1]!, 0, 1e6) };
  }
  if (f.augment !== undefined) {
    const names = f.augment.split(',').map((s) => s.trim().toLowerCase()).filter((s) => s !== '');
    if (names.length === 0 || names.some((n) => !['color', 'occlusion', 'none'].includes(n)) || (names.includes('none') && names.length > 1)) {
      throw is.invalidParameterError('--augment', 'none, or a comma-separated list of color, occlusion', f.augment);
    }
    o.augment = { color: names.includes('color'), occlusion: names.includes('occlusion') };
  }
  const net: { widthMultiplier?: number; maxDisparity?: number } = {};
  if (f.widthMult !== undefined) net.widthMultiplier = parseNumberFlag('--width-mult', f.widthMult, 1 / 64, 64);
  if (f.maxDisp !== undefined) {
    const d = parseIntegerFlag('--max-disp', f.maxDisp, 4, 1024);
    if (d % 4 !== 0) throw is.invalidParameterError('--max-disp', 'a multiple of 4 in [4, 1024]', f.maxDisp);
    net.maxDisparity = d;
  }
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
  if (!o.resume && (o.data === undefined || o.out === undefined)) throw new InvalidParameterError('train needs --data SPEC and --out model.onnx (or --resume with --run-dir DIR)');
  return o;
}

const duration = (s: number): string => (s < 60 ? `${s.toFixed(1)}s` : s < 3600 ? `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, '0')}s` : `${Math.floor(s / 3600)}h${String(Math.round((s % 3600) / 60)).padStart(2, '0')}m`);

/** Turns training events into a progress bar (terminal) or plain lines. */
function progressReporter(io: ProgramIO): { onEvent: (e: StereoTrainingEvent) => void; stop: () => void } {
  const stream = progressStream(io);
  let bar: Progress | undefined;
  let first = { step: 0, at: 0 };
  let lastVal = '';
  return {
    onEvent(e) {
      if (e.type === 'calibrated') io.err(`train: time budget → ${e.totalSteps} steps (${fixed(e.stepMs, 0)} ms per step measured)\n`);
      if (e.type === 'start') {
        first = { step: e.step, at: performance.now() };
        if (e.resumed) io.err(`train: resuming ${e.runDir} at step ${e.step} of ${e.totalSteps}\n`);
        bar = createProgress('train', e.totalSteps, stream);
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

/** Moving average of the train lines' `key`, sampled to at most `points` points. */
function smoothed(lines: readonly TrainLogLine[], key: 'loss' | 'epe', points = 400): [number, number][] {
  const window = Math.max(1, Math.round(lines.length / 50));
  const every = Math.max(1, Math.floor(lines.length / points));
  const out: [number, number][] = [];
  let sum = 0;
  for (let i = 0; i < lines.length; i++) {
    sum += lines[i]![key];
    if (i >= window) sum -= lines[i - window]![key];
    if (i % every === 0 || i === lines.length - 1) out.push([lines[i]!.step, sum / Math.min(i + 1, window)]);
  }
  return out.filter(([, y]) => y > 0 && Number.isFinite(y));
}

/** The summary report: JSON, Markdown, and the loss/validation chart, written to the run folder. */
async function writeSummary(r: StereoTrainingResult): Promise<{ json: string; md: string; png: string }> {
  const train = r.log.filter((l): l is TrainLogLine => l.type === 'train');
  const vals = r.log.filter((l): l is ValLogLine => l.type === 'val');
  const tail = train.slice(-Math.max(1, Math.min(50, Math.round(train.length / 10))));
  const mean = (k: 'loss' | 'epe') => tail.reduce((a, l) => a + l[k], 0) / Math.max(1, tail.length);
  const files = { json: path.join(r.runDir, 'summary.json'), md: path.join(r.runDir, 'summary.md'), png: path.join(r.runDir, 'curves.png') };
  // Overall rate (data, validation and checkpoints included) and the bare training step's time.
  const stepsPerSecond = r.seconds > 0 ? r.step / r.seconds : NaN;
  const stepMs = train.length > 0 ? train.reduce((a, l) => a + l.ms, 0) / train.length : NaN;
  const summary = {
    arch: r.config.arch,
    params: r.params,
    data: r.config.data,
    val: r.config.val,
    model: r.model,
    exportedStep: r.exportedStep,
    steps: r.step,
    plannedSteps: r.config.steps,
    outOfTime: r.outOfTime,
    seconds: r.seconds,
    stepsPerSecond,
    stepMs,
    final: { loss: mean('loss'), trainEpe: mean('epe'), overSteps: tail.length },
    best: r.best,
    validations: vals.map(({ type: _t, ...v }) => v),
    config: r.config,
    runDir: r.runDir,
  };
  await writeJson(files.json, roundNumbers(summary, 5));
  const c = r.config;
  const settings: Table = {
    header: ['setting', 'value'],
    align: ['left', 'left'],
    rows: [
      ['arch', `${c.arch} (${grouped(r.params)} parameters)${Object.keys(c.net).length ? ` ${JSON.stringify(c.net)}` : ''}`],
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
  };
  const valTable: Table = {
    header: ['step', 'EPE', 'bad-1', 'bad-2', 'bad-3', 'D1', 'best'],
    rows: vals.map((v) => [String(v.step), fixed(v.epe, 3), percent(v.bad1), percent(v.bad2), percent(v.bad3), percent(v.d1), v.best ? '✓' : '']),
  };
  const md = [`# Training summary: ${c.arch} → ${path.basename(c.out)}`, '', markdownTable(settings), vals.length ? `## Validation (${vals.at(-1)!.scenes} scenes, means over scenes)\n\n${markdownTable(valTable)}` : '', '![loss and validation curves](curves.png)', ''].join('\n');
  await writeFileAtomic(files.md, md);
  const { xyPlotSvg, writePng } = await import('../report/index.js');
  const series = [
    { label: 'train loss (smoothed)', points: smoothed(train, 'loss'), style: 'line' as const },
    { label: 'train EPE (smoothed)', points: smoothed(train, 'epe'), style: 'line' as const },
    ...(vals.length ? [{ label: 'val EPE', points: vals.filter((v) => v.epe > 0).map((v) => [v.step, v.epe] as [number, number]) }] : []),
  ].filter((s) => s.points.length > 0);
  if (series.length > 0) {
    await writePng(files.png, xyPlotSvg(series, { title: `${c.arch} training`, xLabel: 'step', yLabel: 'pixels (log scale)', yScale: 'log' }));
  }
  return files;
}

/** Runs the command; exported for programmatic use and tests. */
export async function runTrain(flags: TrainFlags, io: ProgramIO): Promise<void> {
  const options = trainOptionsFromFlags(flags);
  const { trainStereo } = await import('@stereo-sdk/stereo');
  const controller = new AbortController();
  const onSignal = () => controller.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const progress = progressReporter(io);
  let result: StereoTrainingResult;
  try {
    result = await trainStereo({ ...options, signal: controller.signal, onEvent: progress.onEvent });
  } finally {
    progress.stop();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  const c = result.config;
  if (result.stopped) {
    throw new StereoSdkError('ERR_INTERRUPTED', `training stopped at step ${result.step} of ${c.steps}; checkpoint saved in ${result.runDir}; continue with: stereo-sdk train --resume --run-dir ${result.runDir}`);
  }
  const files = await writeSummaryChecked(result);
  const train = result.log.filter((l): l is TrainLogLine => l.type === 'train');
  const last = train.at(-1);
  io.out(`train: ${c.arch} (${grouped(result.params)} parameters) on ${c.data}, batch ${c.batch}, crop ${c.crop.height}x${c.crop.width}\n`);
  io.out(`trained ${result.step} steps${result.outOfTime ? ` of ${c.steps} (time budget reached)` : ''} in ${duration(result.seconds)}; last loss ${fixed(last?.loss, 3)}, train EPE ${fixed(last?.epe, 3)}\n`);
  if (result.best) io.out(`best validation at step ${result.best.step}: EPE ${fixed(result.best.epe, 3)}, bad-2 ${percent(result.best.bad2)} (${result.best.scenes} scenes of ${c.val})\n`);
  io.out(`wrote ${result.model} (weights of step ${result.exportedStep}, BN folded, model contract embedded)\n`);
  io.out(`run folder ${result.runDir}: ${[files.json, files.md, files.png].map((f) => path.basename(f)).join(', ')}, log.jsonl, checkpoint.onnx${result.best ? ', best.onnx' : ''}\n`);
}

async function writeSummaryChecked(result: StereoTrainingResult): Promise<{ json: string; md: string; png: string }> {
  let files = { json: '', md: '', png: '' };
  await writeOutput(result.runDir, 'training summary', async () => {
    files = await writeSummary(result);
  });
  return files;
}

/** Registers `stereo-sdk train`. */
export function registerTrainCommand(program: Command, io: ProgramIO): void {
  program
    .command('train')
    .description('Train a student or teacher stereo network on data with ground truth; exports an inference ONNX (BN folded, model contract)')
    .option('--arch <name>', 'student or teacher (default student)')
    .option('--data <spec>', 'training data: a dataset spec (synthetic:DIR, kitti2015:DIR, ...) or synth:[?width=W&height=H&maxDisparity=D&seed=S] generated in memory (default: crop size, disparities below width·96/512)')
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
    .option('--loss-weights <f,q>', 'weights of the full-resolution and quarter-resolution smooth-L1 terms (default 1,0.5)')
    .option('--augment <list>', 'color,occlusion or none (default: both for disk data, occlusion for synth:)')
    .option('--width-mult <w>', 'network width multiplier (default 1)')
    .option('--max-disp <d>', 'network max disparity, a multiple of 4 (default 192)')
    .option('--val-every <n>', 'validate every n steps, 0 = only at the end (default a tenth of the steps)')
    .option('--ckpt-every <n>', 'checkpoint every n steps (default 100; also after each validation)')
    .option('--select <metric>', 'validation metric that picks the exported weights: bad2 or epe (default bad2)')
    .option('--run-dir <dir>', 'run folder for config, checkpoints, log and summary (default <out>.run)')
    .option('--resume', 'continue the run in --run-dir (or <out>.run) from its last checkpoint')
    .option('--seed <s>', 'seed of weights, data order, augmentation and generated data (default 0)')
    .option('--threads <n>', 'intra-op threads (default: one per core)')
    .action(async (flags: TrainFlags) => runTrain(flags, io));
}
