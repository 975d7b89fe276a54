/**
 * Distillation options: defaults in one object, validation at the boundary, the `--kd` and
 * `--temperature` syntaxes, the per-step temperature, and the check of a resumed run's options.
 */
import { Graph, InvalidParameterError, is } from '@stereo-sdk/core';
import { checkFixedOnResume, resolveTrainingConfig, SHARED_RESUME_RESOLVERS, type ResumeResolvers, type StereoTrainingOptions } from '../training/config.js';
import { resolveLossWeights } from '../training/loss.js';
import type { LossWeights } from '../training/types.js';
import { KD_LOSSES, resolveKdWeights, type KdLoss, type KdWeights } from './losses.js';
import type { StereoDistillConfig, TemperatureSchedule } from './types.js';

/** What a caller may set for a distillation run (besides the session knobs). */
export interface StereoDistillOptions extends Omit<StereoTrainingOptions, 'loss' | 'out'> {
  /** The teacher: any ONNX stereo model (path) or a Graph in memory. Required for a new run. */
  teacher?: string | Graph;
  /** Output inference model (.onnx); optional when `runDir` is given (the model is returned either way). */
  out?: string;
  /**
   * Distillation terms and weights, e.g. `{ 'dist-l1': 1, 'disp-l1': 0.5 }` (see `parseKd` for the
   * CLI form); default `dist-l1` = 1 for a teacher with logits, `disp-l1` = 1 for a disparity-only one.
   */
  kd?: KdWeights;
  /** Softening temperature T > 0: one value, or `[start, end]` annealed linearly over the steps; default `[0.5, 1]` (Distill-then-prune). */
  temperature?: number | readonly [number, number];
  /** Weight of the supervised smooth-L1 term, ≥ 0; default 0 (teacher only). Needs ground truth on every sample when > 0. */
  gtWeight?: number;
  /** Weights inside the supervised term; default `{ full: 1, quarter: 0.5 }`. */
  gtLoss?: Partial<LossWeights>;
  /** `disp-l1` ignores teacher pixels whose confidence is below this, [0, 1]; default 0 (all trusted). */
  confidenceThreshold?: number;
  /** Teacher output with its features, for `feature`; default the output named like "feat". */
  teacherFeature?: string;
  /** Student value the feature adapter reads; default `DEFAULT_STUDENT_FEATURE`. */
  studentFeature?: string;
  /** Cache teacher outputs of un-augmented samples on disk; default true (unbounded `synth:` data is never cached). */
  cache?: boolean;
  /** Cache folder, e.g. one shared by several runs with the same teacher and data; default `<runDir>/teacher-cache`. */
  cacheDir?: string;
}

/** Defaults of the distillation-specific options. */
export const DISTILL_DEFAULTS = Object.freeze({
  temperature: Object.freeze({ start: 0.5, end: 1 }) as TemperatureSchedule,
  gtWeight: 0,
  confidenceThreshold: 0,
  cache: true,
  /** Augmentation is off by default: an augmented crop needs its own teacher run, an un-augmented one comes from the cache. */
  augment: Object.freeze({ color: false, occlusion: false }),
  kdForLogits: Object.freeze({ 'dist-l1': 1 }) as KdWeights,
  kdForDisparity: Object.freeze({ 'disp-l1': 1 }) as KdWeights,
});

/**
 * Parses the CLI form of the distillation terms: `dist-l1`, `dist-kl=1,disp-l1=0.5` (a term without
 * a weight weighs 1).
 * @throws InvalidParameterError naming the bad term or weight
 * @example parseKd('dist-l1=1,disp-l1=0.5') // { 'dist-l1': 1, 'disp-l1': 0.5 }
 */
export function parseKd(text: string): KdWeights {
  is.assertString('kd', text);
  const out: Partial<Record<KdLoss, number>> = {};
  for (const part of text.split(',').map((p) => p.trim()).filter((p) => p !== '')) {
    const [name, value] = part.split('=').map((s) => s.trim()) as [string, string | undefined];
    if (!KD_LOSSES.includes(name as KdLoss)) throw is.invalidParameterError('--kd', `terms among ${KD_LOSSES.join(', ')} with optional =WEIGHT, e.g. dist-l1=1,disp-l1=0.5`, part);
    const weight = value === undefined ? 1 : Number(value);
    if (value === '' || !Number.isFinite(weight) || weight < 0) throw is.invalidParameterError(`--kd ${name}`, 'a weight ≥ 0', value);
    out[name as KdLoss] = weight;
  }
  if (Object.keys(out).length === 0) throw is.invalidParameterError('--kd', 'at least one term, e.g. dist-l1', text);
  return out;
}

/**
 * Checks a temperature option.
 * @throws InvalidParameterError when a value is not in (0, 100]
 */
export function resolveTemperature(t: StereoDistillOptions['temperature']): TemperatureSchedule {
  if (t === undefined) return DISTILL_DEFAULTS.temperature;
  const [start, end] = typeof t === 'number' ? [t, t] : Array.isArray(t) && t.length === 2 ? t : [NaN, NaN];
  if (typeof start !== 'number' || typeof end !== 'number' || !(start > 0 && start <= 100) || !(end > 0 && end <= 100)) {
    throw is.invalidParameterError('temperature', 'a number or [start, end] in (0, 100]', t);
  }
  return { start, end };
}

/**
 * The temperature of a step: linear from `start` at step 0 to `end` at the last step (`steps − 1`).
 * @example temperatureAt({ start: 0.5, end: 1 }, 0, 11) // 0.5
 */
export function temperatureAt(t: TemperatureSchedule, step: number, steps: number): number {
  return steps <= 1 ? t.start : t.start + ((t.end - t.start) * Math.min(step, steps - 1)) / (steps - 1);
}

/** How a run config records the teacher. */
export const describeTeacher = (teacher: string | Graph): string => (teacher instanceof Graph ? `<in-memory teacher '${teacher.name}'>` : teacher);

/**
 * Validates distillation options and fills defaults (the default `kd` depends on the teacher and is
 * filled in once it is open; `kd` is then all zeros here).
 * @param o - see `StereoDistillOptions`; `teacher` and `data` are required
 * @param runDirGiven - whether a run folder was given (then `out` may be omitted)
 * @throws InvalidParameterError naming the first bad option
 */
export function resolveDistillConfig(o: StereoDistillOptions, runDirGiven: boolean): StereoDistillConfig {
  if (!is.plainObject(o as unknown)) throw is.invalidParameterError('distillation options', 'an object', o);
  if (o.teacher === undefined || (!(o.teacher instanceof Graph) && (typeof o.teacher !== 'string' || o.teacher === ''))) throw is.invalidParameterError('teacher', 'a teacher model path or a Graph', o.teacher);
  if (o.out === undefined && !runDirGiven) throw new InvalidParameterError('Give out (the output model) or runDir (the run folder) for a distillation run');
  if (o.out !== undefined) is.assertString('out', o.out);
  const { teacher: _t, kd, temperature, gtWeight: gw, gtLoss, confidenceThreshold: ct, teacherFeature, studentFeature, cache: c, cacheDir, out, ...training } = o;
  if (training.augment !== undefined && !is.plainObject(training.augment as unknown)) throw is.invalidParameterError('augment', 'an object { color, occlusion }', training.augment);
  const base = resolveTrainingConfig({ ...training, augment: { ...DISTILL_DEFAULTS.augment, ...training.augment }, out: out ?? 'model.onnx', loss: gtLoss });
  const gtWeight = gw ?? DISTILL_DEFAULTS.gtWeight;
  is.assertNumber('gtWeight', gtWeight, 0, 1e6);
  const kdWeights = kd === undefined ? Object.fromEntries(KD_LOSSES.map((k) => [k, 0])) as Record<KdLoss, number> : resolveKdWeights(kd, gtWeight);
  const confidenceThreshold = ct ?? DISTILL_DEFAULTS.confidenceThreshold;
  is.assertNumber('confidenceThreshold', confidenceThreshold, 0, 1);
  for (const [name, v] of [['teacherFeature', teacherFeature], ['studentFeature', studentFeature], ['cacheDir', cacheDir]] as const) if (v !== undefined) is.assertString(name, v);
  const cache = c ?? DISTILL_DEFAULTS.cache;
  is.assertBoolean('cache', cache);
  const { loss, out: _out, ...rest } = base;
  return {
    ...rest,
    out: out ?? null,
    teacher: describeTeacher(o.teacher),
    kd: kdWeights,
    temperature: resolveTemperature(temperature),
    gtWeight,
    gtLoss: loss,
    confidenceThreshold,
    teacherFeature: teacherFeature ?? null,
    studentFeature: studentFeature ?? null,
    cache,
    cacheDir: cacheDir ?? null,
    valReference: null,
  };
}

/** Keys of a stored distillation config that a resumed run must not change. */
const FIXED_ON_RESUME = [
  'arch', 'net', 'init', 'data', 'val', 'valLimit', 'steps', 'batch', 'crop', 'lr', 'weightDecay', 'schedule', 'warmup', 'clipGradNorm', 'augment', 'valEvery',
  'ckptEvery', 'selectBy', 'seed', 'teacher', 'kd', 'temperature', 'gtWeight', 'gtLoss', 'confidenceThreshold', 'teacherFeature', 'studentFeature', 'cache',
] as const;

const DISTILL_RESUME_RESOLVERS: ResumeResolvers<StereoDistillConfig> = Object.freeze({
  ...SHARED_RESUME_RESOLVERS,
  gtLoss: (given: unknown) => resolveLossWeights(given as Partial<LossWeights>),
  teacher: (given: unknown) => describeTeacher(given as string | Graph),
  temperature: (given: unknown) => resolveTemperature(given as StereoDistillOptions['temperature']),
  kd: (given: unknown, _storedValue: unknown, stored: StereoDistillConfig) => resolveKdWeights(given as KdWeights, stored.gtWeight),
});

/**
 * Checks that options given to a resumed distillation run agree with the stored config.
 * @throws InvalidParameterError naming the first option that differs
 */
export function checkDistillResume(stored: StereoDistillConfig, o: StereoDistillOptions): void {
  // A graph given again is quoted by the label the config records for it.
  checkFixedOnResume(stored, o, FIXED_ON_RESUME, DISTILL_RESUME_RESOLVERS, ['init', 'teacher']);
}
