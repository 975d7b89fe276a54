/**
 * `stereo-sdk train-student --teacher T.onnx --data SPEC --out student.onnx ...`: knowledge
 * distillation of a student from any ONNX stereo teacher (`distillStereo` in @stereo-sdk/stereo),
 * with or without ground truth (`pairs:DIR` of the user's own unlabeled cameras works). Progress,
 * validation, checkpoints, `--resume`, `--init` and the summary work as in `train`, whose option
 * definitions it shares (training-options.ts).
 */
import type { Command } from 'commander';
import path from 'node:path';
import { InvalidParameterError, is, StereoSdkError } from '@stereo-sdk/core';
import type { DistillLogLine, DistillRunOptions, StereoDistillOptions, StereoDistillResult } from '@stereo-sdk/stereo';
import type { ProgramIO } from '../program.js';
import { fixed, grouped } from '../report/table.js';
import { parseNumberFlag } from './runtime-flags.js';
import { addTrainingOptions, duration, printRunEnd, progressReporter, sharedOptionsFromFlags, withStopSignals, writeTrainingSummary, type TrainingFlags } from './training-options.js';

/** Raw option strings of `train-student`. */
export interface TrainStudentFlags extends TrainingFlags {
  teacher?: string;
  kd?: string;
  temperature?: string;
  gtWeight?: string;
  confidence?: string;
  teacherFeature?: string;
  studentFeature?: string;
  /** `false` from `--no-cache`. */
  cache?: boolean;
  cacheDir?: string;
}

/**
 * Parses `--temperature 0.5,1` (start and end) or `--temperature 1` (constant).
 * @throws InvalidParameterError naming the flag
 */
export function parseTemperature(raw: string): number | [number, number] {
  const parts = raw.split(',');
  if (parts.length > 2) throw is.invalidParameterError('--temperature', 'START[,END], e.g. 0.5,1', raw);
  const values = parts.map((p, i) => parseNumberFlag(`--temperature ${i === 0 ? 'start' : 'end'}`, p, Number.MIN_VALUE, 100));
  return values.length === 1 ? values[0]! : [values[0]!, values[1]!];
}

/** Flags to `distillStereo` options; only flags that were given become options. */
export async function distillOptionsFromFlags(f: TrainStudentFlags): Promise<StereoDistillOptions & Pick<DistillRunOptions, 'runDir' | 'resume' | 'threads'>> {
  const { lossWeights, ...o } = sharedOptionsFromFlags(f);
  const out: StereoDistillOptions & Pick<DistillRunOptions, 'runDir' | 'resume' | 'threads'> = { ...o, ...(lossWeights ? { gtLoss: lossWeights } : {}) };
  if (f.teacher !== undefined) out.teacher = f.teacher;
  if (f.kd !== undefined) {
    const { parseKd } = await import('@stereo-sdk/stereo');
    out.kd = parseKd(f.kd);
  }
  if (f.temperature !== undefined) out.temperature = parseTemperature(f.temperature);
  if (f.gtWeight !== undefined) out.gtWeight = parseNumberFlag('--gt-weight', f.gtWeight, 0, 1e6);
  if (f.confidence !== undefined) out.confidenceThreshold = parseNumberFlag('--confidence', f.confidence, 0, 1);
  if (f.teacherFeature !== undefined) out.teacherFeature = f.teacherFeature;
  if (f.studentFeature !== undefined) out.studentFeature = f.studentFeature;
  if (f.cache === false) out.cache = false;
  if (f.cacheDir !== undefined) out.cacheDir = f.cacheDir;
  if (!out.resume && (out.teacher === undefined || out.data === undefined || out.out === undefined)) {
    throw new InvalidParameterError('train-student needs --teacher T.onnx, --data SPEC and --out student.onnx (or --resume with --run-dir DIR)');
  }
  return out;
}

/** `dist-l1=1, disp-l1=0.5` (the terms in use). */
const termsText = (kd: StereoDistillResult['config']['kd']): string =>
  Object.entries(kd).filter(([, w]) => w > 0).map(([k, w]) => `${k}=${w}`).join(', ') || 'none';

/** The summary report: JSON, Markdown, and the loss/validation chart, written to the run folder. */
async function writeSummary(r: StereoDistillResult): Promise<{ json: string; md: string; png: string }> {
  const c = r.config;
  const gt = c.gtWeight > 0;
  return writeTrainingSummary<DistillLogLine>(r, ({ train, tail, mean }) => ({
    title: `Distillation summary: ${c.arch} from ${path.basename(c.teacher)} → ${c.out !== null ? path.basename(c.out) : 'in memory'}`,
    chartTitle: `${c.arch} distillation`,
    networkLabel: 'student',
    json: {
      afterParams: { teacher: c.teacher, kd: c.kd, gtWeight: c.gtWeight, temperature: c.temperature },
      afterVal: { valReference: c.valReference },
      afterTiming: { teacherWork: r.teacher },
      final: { loss: mean((l) => l.loss), teacherEpe: mean((l) => l.teacherEpe), ...(gt ? { trainEpe: mean((l) => l.epe) } : {}), overSteps: tail.length },
    },
    settings: {
      afterNetwork: [
        ['teacher', c.teacher],
        ['distillation', `${termsText(c.kd)}; temperature ${c.temperature.start} → ${c.temperature.end}${c.confidenceThreshold > 0 ? `; disp-l1 on teacher confidence ≥ ${c.confidenceThreshold}` : ''}`],
        ['ground truth', gt ? `${c.gtWeight} × (smooth-L1 ${c.gtLoss.full}·full + ${c.gtLoss.quarter}·quarter)` : 'not used (teacher only)'],
      ],
      validationNote: `; against the ${c.valReference === 'teacher' ? "teacher's disparity" : 'ground truth'}`,
      afterAugmentation: [['teacher work', `${r.teacher.runs} teacher runs, ${r.teacher.cacheHits} cache hits${c.cache ? '' : ' (cache off)'}`]],
      final: ['final loss / teacher EPE', `${fixed(mean((l) => l.loss), 3)} / ${fixed(mean((l) => l.teacherEpe), 3)} (mean of the last ${tail.length} steps)`],
    },
    series: [
      { label: 'loss', points: train.map((l) => [l.step, l.loss]) },
      { label: 'EPE to the teacher', points: train.map((l) => [l.step, l.teacherEpe]) },
      ...(gt ? [{ label: 'train EPE', points: train.map((l): [number, number] => [l.step, l.epe ?? NaN]) }] : []),
    ],
  }));
}

/** Runs the command; exported for programmatic use and tests. */
export async function runTrainStudent(flags: TrainStudentFlags, io: ProgramIO): Promise<void> {
  const options = await distillOptionsFromFlags(flags);
  const { distillStereo } = await import('@stereo-sdk/stereo');
  const progress = progressReporter<DistillLogLine>(io, 'train-student');
  const result = await withStopSignals((signal) => distillStereo({ ...options, signal, onEvent: progress.onEvent }), progress);
  const c = result.config;
  if (result.stopped) {
    throw new StereoSdkError('ERR_INTERRUPTED', `distillation stopped at step ${result.step} of ${c.steps}; checkpoint saved in ${result.runDir}; continue with: stereo-sdk train-student --resume --run-dir ${result.runDir}`);
  }
  const files = await writeSummary(result);
  const last = result.log.filter((l): l is DistillLogLine => l.type === 'train').at(-1);
  io.out(`train-student: ${c.arch} (${grouped(result.params)} parameters) from ${c.teacher} (${termsText(c.kd)}${c.gtWeight > 0 ? `, ground truth ×${c.gtWeight}` : ', teacher only'}) on ${c.data}, batch ${c.batch}, crop ${c.crop.height}x${c.crop.width}\n`);
  io.out(`distilled ${result.step} steps${result.outOfTime ? ` of ${c.steps} (time budget reached)` : ''} in ${duration(result.seconds)}; last loss ${fixed(last?.loss, 3)}, EPE to the teacher ${fixed(last?.teacherEpe, 3)}${last?.epe !== undefined ? `, train EPE ${fixed(last.epe, 3)}` : ''}\n`);
  io.out(`teacher: ${result.teacher.runs} runs, ${result.teacher.cacheHits} cache hits${result.files.cache ? ` (cache ${result.files.cache})` : ''}\n`);
  printRunEnd(io, result, files, c.valReference === 'teacher' ? ", against the teacher's disparity" : '');
}

/** Registers `stereo-sdk train-student`. */
export function registerTrainStudentCommand(program: Command, io: ProgramIO): void {
  const cmd = program
    .command('train-student')
    .description('Distill a student from any ONNX stereo teacher, with or without ground truth (unlabeled pairs:DIR works); exports an inference ONNX (BN folded, model contract)')
    .option('--teacher <onnx>', 'the teacher: any ONNX stereo model (logits over disparity bins give distribution distillation, disparity alone pseudo ground truth)')
    .option('--kd <terms>', 'distillation terms with weights: dist-l1, dist-kl, disp-l1, feature, e.g. dist-l1=1,disp-l1=0.5 (default dist-l1 for a teacher with logits, disp-l1 otherwise)')
    .option('--temperature <start[,end]>', 'softening temperature, annealed linearly from start to end over the steps (default 0.5,1)')
    .option('--gt-weight <w>', 'weight of the ground-truth smooth-L1 term; 0 = teacher only, needed for unlabeled data (default 0)')
    .option('--confidence <t>', 'disp-l1 ignores teacher pixels with confidence below t in [0, 1] (default 0)')
    .option('--teacher-feature <name>', 'teacher output holding its features for the feature term (default: the output named like "feat")')
    .option('--student-feature <name>', 'student value the feature adapter reads (default: its 1/4 context features)')
    .option('--no-cache', 'run the teacher on every crop instead of caching its outputs on disk')
    .option('--cache-dir <dir>', 'teacher-output cache folder, e.g. shared by runs with the same teacher and data (default <run-dir>/teacher-cache)');
  addTrainingOptions(cmd, {
    lossWeights: 'weights of the full- and quarter-resolution smooth-L1 terms inside the ground-truth term (default 1,0.5)',
    augment: 'color,occlusion or none (default none: an augmented crop needs its own teacher run, an un-augmented one comes from the cache)',
  }).action(async (flags: TrainStudentFlags) => runTrainStudent(flags, io));
}
