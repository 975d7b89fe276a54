/**
 * `stereo-sdk prune --model M --data SPEC --target-ms 30 --out pruned.onnx`: structured pruning of
 * a stereo model to a latency budget on this device (`pruneToLatency` in @stereo-sdk/stereo), with
 * distillation fine-tuning between steps, `--resume` after the last completed step, and at the end
 * a JSON and Markdown report per step and an accuracy-against-latency PNG in the run folder.
 */
import type { Command } from 'commander';
import path from 'node:path';
import { InvalidParameterError, is, StereoSdkError, writeFileAtomic, type ImportanceCriterion } from '@stereo-sdk/core';
import type { PruneEvent, PruneRunResult, PruneToLatencyOptions } from '@stereo-sdk/stereo';
import { roundNumbers, writeJson } from '../report/json.js';
import { writePng } from '../report/png.js';
import { pruneChartSvg, pruneMarkdown, pruneReport, pruneStepTable, pruneSummaryLine } from '../report/prune-report.js';
import { fixed, percent, textTable } from '../report/table.js';
import type { ProgramIO } from '../program.js';
import { createProgress, type Progress } from '../progress.js';
import { parseCrop } from './train.js';
import { parseIntegerFlag, parseNumberFlag, parseProviders, parseResolution, progressStream, writeOutput } from './runtime-flags.js';

/** Raw option strings as commander hands them over. */
interface PruneFlags {
  model?: string;
  teacher?: string;
  data?: string;
  val?: string;
  valLimit?: string;
  targetMs?: string;
  preset?: string;
  steps?: string;
  stepRatio?: string;
  maxStepRatio?: string;
  criterion?: string;
  scope?: string;
  multiple?: string;
  lut?: string;
  finetuneSteps?: string;
  batch?: string;
  crop?: string;
  lr?: string;
  gradientBatches?: string;
  runs?: string;
  warmup?: string;
  threads?: string;
  providers?: string;
  seed?: string;
  runDir?: string;
  resume?: boolean;
  out?: string;
}

const CRITERIA: readonly ImportanceCriterion[] = ['l2', 'l1', 'bn-scale', 'taylor', 'hessian'];

/** Flags to `pruneToLatency` options; only flags that were given become options. */
export async function pruneOptionsFromFlags(f: PruneFlags): Promise<PruneToLatencyOptions> {
  const o: PruneToLatencyOptions = {};
  if (f.model !== undefined) o.model = f.model;
  if (f.teacher !== undefined) o.teacher = f.teacher;
  if (f.data !== undefined) o.data = f.data;
  if (f.val !== undefined) o.val = f.val;
  if (f.valLimit !== undefined) o.valLimit = parseIntegerFlag('--val-limit', f.valLimit, 1, 1e9);
  if (f.targetMs !== undefined) o.targetMs = parseNumberFlag('--target-ms', f.targetMs, 1e-3, 1e7);
  if (f.preset !== undefined) o.resolution = await parseResolution('--preset', f.preset);
  if (f.steps !== undefined) o.steps = parseIntegerFlag('--steps', f.steps, 1, 100);
  if (f.stepRatio !== undefined) o.stepRatio = parseNumberFlag('--step-ratio', f.stepRatio, 0.001, 0.95);
  if (f.maxStepRatio !== undefined) o.maxStepRatio = parseNumberFlag('--max-step-ratio', f.maxStepRatio, 0.001, 0.95);
  if (f.criterion !== undefined) {
    if (!(CRITERIA as readonly string[]).includes(f.criterion)) throw is.invalidParameterError('--criterion', CRITERIA.join(', '), f.criterion);
    o.criterion = f.criterion as ImportanceCriterion;
  }
  if (f.scope !== undefined) {
    if (f.scope !== 'local' && f.scope !== 'global') throw is.invalidParameterError('--scope', 'local or global', f.scope);
    o.scope = f.scope;
  }
  if (f.multiple !== undefined) o.multiple = parseIntegerFlag('--multiple', f.multiple, 1, 256);
  if (f.lut !== undefined) o.lut = f.lut;
  if (f.finetuneSteps !== undefined) o.finetuneSteps = parseIntegerFlag('--finetune-steps', f.finetuneSteps, 0, 1e6);
  if (f.batch !== undefined) o.batch = parseIntegerFlag('--batch', f.batch, 1, 256);
  if (f.crop !== undefined) o.crop = parseCrop('--crop', f.crop);
  if (f.lr !== undefined) o.lr = parseNumberFlag('--lr', f.lr, Number.MIN_VALUE, 1);
  if (f.gradientBatches !== undefined) o.gradientBatches = parseIntegerFlag('--gradient-batches', f.gradientBatches, 1, 1000);
  if (f.runs !== undefined) o.runs = parseIntegerFlag('--runs', f.runs, 1, 10000);
  if (f.warmup !== undefined) o.warmup = parseIntegerFlag('--warmup', f.warmup, 0, 1000);
  if (f.threads !== undefined) o.threads = parseIntegerFlag('--threads', f.threads, 1, 64);
  const providers = await parseProviders(f.providers);
  if (providers) o.providers = providers;
  if (f.seed !== undefined) o.seed = parseIntegerFlag('--seed', f.seed, 0, 2 ** 32 - 1);
  if (f.runDir !== undefined) o.runDir = f.runDir;
  if (f.resume) o.resume = true;
  if (f.out !== undefined) o.out = f.out;
  if (!o.resume) {
    const missing = [o.model === undefined && '--model M', o.data === undefined && '--data SPEC', o.out === undefined && '--out pruned.onnx'].filter(Boolean);
    if (missing.length > 0) throw new InvalidParameterError(`prune needs ${missing.join(', ')} (or --resume with --run-dir DIR)`);
  }
  return o;
}

/** Turns pruning events into plain lines and a fine-tuning progress bar. */
function progressReporter(io: ProgramIO): { onEvent: (e: PruneEvent) => void; stop: () => void } {
  const stream = progressStream(io);
  let bar: Progress | undefined;
  const stopBar = () => {
    bar?.stop();
    bar = undefined;
  };
  return {
    onEvent(e) {
      if (e.type === 'start') io.err(`prune: ${e.resumed ? `resuming ${e.runDir} after step ${e.fromStep - 1}` : `run folder ${e.runDir}`}, up to ${e.maxSteps} steps${e.targetMs !== undefined ? `, target ${e.targetMs} ms` : ''}\n`);
      if (e.type === 'planned') io.err(`step ${e.step}: removing ${percent(100 * e.ratio)} of the prunable channels${e.goalMs !== undefined ? ` (aiming at ${fixed(e.goalMs, 2)} ms${e.predictedMs !== undefined ? `, predicted ${fixed(e.predictedMs, 2)} ms` : ''})` : ''}\n`);
      if (e.type === 'note') io.err(`step ${e.step}: note: ${e.message}\n`);
      if (e.type === 'finetune') {
        bar ??= createProgress(`fine-tune step ${e.step}`, e.total, stream);
        bar.update(e.done, e.loss !== undefined ? { loss: fixed(e.loss, 4) } : undefined);
        if (e.done === e.total) stopBar();
      }
      if (e.type === 'measured' || e.type === 'step') {
        stopBar();
        const r = e.record;
        const acc = r.epe !== undefined ? `, EPE ${fixed(r.epe, 3)}, bad-2 ${percent(r.bad2)}` : '';
        const lut = r.predictedMs !== undefined ? ` (latency table ${fixed(r.predictedMs, 2)} ms)` : '';
        io.err(`step ${r.step}: ${r.params.toLocaleString('en-US')} params, p50 ${fixed(r.p50Ms, 2)} ms${lut}${acc}\n`);
      }
    },
    stop: stopBar,
  };
}

/** Writes report.json, report.md and accuracy-latency.png into the run folder. */
async function writeReports(result: PruneRunResult, labels: Parameters<typeof pruneReport>[1]): Promise<{ json: string; md: string; png: string; line: string; table: string }> {
  const report = roundNumbers(pruneReport(result, labels), 4);
  const files = { json: path.join(result.runDir, 'report.json'), md: path.join(result.runDir, 'report.md'), png: path.join(result.runDir, 'accuracy-latency.png') };
  await writeOutput(files.json, 'JSON report', () => writeJson(files.json, report));
  await writeOutput(files.md, 'Markdown report', () => writeFileAtomic(files.md, pruneMarkdown(report)));
  await writeOutput(files.png, 'accuracy/latency chart', () => writePng(files.png, pruneChartSvg(report)));
  return { ...files, line: pruneSummaryLine(report), table: textTable(pruneStepTable(report.steps)) };
}

/** Runs the command; exported for programmatic use and tests. */
export async function runPrune(flags: PruneFlags, io: ProgramIO): Promise<PruneRunResult> {
  const options = await pruneOptionsFromFlags(flags);
  const { pruneToLatency } = await import('@stereo-sdk/stereo');
  const controller = new AbortController();
  const onSignal = () => controller.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const progress = progressReporter(io);
  let result: PruneRunResult;
  try {
    result = await pruneToLatency({ ...options, signal: controller.signal, onEvent: progress.onEvent });
  } finally {
    progress.stop();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  const { readPruneConfig } = await import('@stereo-sdk/stereo');
  const config = await readPruneConfig(result.runDir);
  const labels = { model: config.model, data: config.data, ...(config.teacher !== null ? { teacher: config.teacher } : {}), ...(config.val !== null ? { val: config.val } : {}) };
  const files = await writeReports(result, labels);
  io.out(files.table);
  io.out(`${files.line}\n`);
  if (result.reason === 'stopped') {
    throw new StereoSdkError('ERR_INTERRUPTED', `pruning stopped after step ${result.steps.at(-1)!.step}; continue with: stereo-sdk prune --resume --run-dir ${result.runDir}`);
  }
  io.out(`wrote ${result.out}\n`);
  io.out(`run folder ${result.runDir}: report.json, report.md, accuracy-latency.png, step-*.onnx\n`);
  return result;
}

/** Registers `stereo-sdk prune`. */
export function registerPruneCommand(program: Command, io: ProgramIO): void {
  program
    .command('prune')
    .description('Prune a stereo model structurally to a latency target on this device, fine-tuning with distillation between steps')
    .option('--model <onnx>', 'inference model to prune (e.g. a student from `stereo-sdk train`)')
    .option('--teacher <onnx>', 'distillation teacher (default: the unpruned --model)')
    .option('--data <spec>', 'fine-tuning data: a dataset spec or synth:[?width=W&height=H&maxDisparity=D]')
    .option('--val <spec>', 'validation data with ground truth for EPE and bad-2 after each step (default: none)')
    .option('--val-limit <n>', 'validate on the first n samples only')
    .option('--target-ms <ms>', 'p50 latency target in ms at --preset; without it the fixed schedule --steps × --step-ratio runs')
    .option('--preset <name>', 'resolution latency is measured at: kitti (1242x375), sceneflow (960x540) or WxH (default kitti)')
    .option('--steps <n>', 'most pruning steps (default 5)')
    .option('--step-ratio <r>', 'fraction of prunable channels removed per step (default 0.1 without a target; with a target the planner chooses)')
    .option('--max-step-ratio <r>', 'largest ratio the latency planner may choose for one step (default 0.5)')
    .option('--criterion <name>', `channel importance: ${CRITERIA.join(', ')} (default l2)`)
    .option('--scope <scope>', 'local (every group by the ratio) or global (one threshold) (default local)')
    .option('--multiple <n>', 'kept channel counts are multiples of n (default 8)')
    .option('--lut <json>', 'latency table from `stereo-sdk profile` on the target device: plan per group and check the target against it')
    .option('--finetune-steps <n>', 'distillation fine-tuning steps after each pruning step (default 200)')
    .option('--batch <n>', 'fine-tuning batch size (default 2)')
    .option('--crop <HxW>', 'fine-tuning crop as HEIGHTxWIDTH, multiples of the stride (default 128x256)')
    .option('--lr <x>', 'fine-tuning peak learning rate')
    .option('--gradient-batches <n>', 'batches of gradients for taylor and hessian (default 4)')
    .option('--runs <n>', 'timed runs per latency measurement (default 20)')
    .option('--warmup <n>', 'warm-up runs per latency measurement (default 3)')
    .option('--threads <n>', 'intra-op threads for latency, accuracy and fine-tuning (default: one per core)')
    .option('--providers <list>', 'execution providers for latency and accuracy, e.g. cuda,cpu (default cpu)')
    .option('--seed <s>', 'seed of data order and augmentation (default 0)')
    .option('--run-dir <dir>', 'run folder for every step\'s model, state and reports (default <out>.prune)')
    .option('--resume', 'continue the run in --run-dir (or <out>.prune) after its last completed step')
    .option('--out <onnx>', 'pruned output model')
    .action(async (flags: PruneFlags) => {
      await runPrune(flags, io);
    });
}
