/**
 * `pruneToLatency`: the step loop of latency-targeted structured pruning with distillation
 * (Distill-then-prune's schedule, NetAdapt's measured latency, HALP's latency table). Each step:
 * comb the model → score the channels → plan how many to remove (a fixed ratio, or one chosen so
 * the predicted latency moves towards the target) → cut → fine-tune with distillation from the
 * teacher → measure p50 latency (edge runtime, target resolution) and accuracy → record. The run
 * stops when the target is met, after the last allowed step, or when nothing is left to prune.
 * Every step's model and the run state are written atomically, so `resume` continues after the
 * last completed step.
 */
import { constants as fsConstants, promises as fsp } from 'node:fs';
import path from 'node:path';
import {
  applyPrunePlan,
  FileNotFoundError,
  Graph,
  InvalidParameterError,
  is,
  planPruning,
  scoreGroups,
  StereoSdkError,
  writeFileAtomic,
  writeOnnx,
  type DependencyGraph,
  type GradientStats,
  type ImportanceCriterion,
  type PrunePlan,
} from '@stereo-sdk/core';
import { loadAccuracySet, type AccuracySet } from './accuracy.js';
import { defaultPruneRunDir, resolvePruneConfig, resumeConfig } from './config.js';
import { finetuneCandidate } from './finetune.js';
import { stereoGradientStats } from './gradients.js';
import { openCandidate, resolveLatencyOptions, timeMatcher } from './latency.js';
import { latencyLookup, parseLatencyTable, readLatencyTable, writeLatencyTable, type LatencyLookup, type LatencyTable } from './lut.js';
import { combStereo, costAt, loadStereoModel, prunableChannels } from './model.js';
import { allocateByLatency, macsLatencyModel, searchStepRatio, stepGoalMs } from './plan.js';
import { holdsPruneRun, pruneRunFiles, readPruneConfig, readPruneState, stepModelName, writePruneConfig, writePruneState, type PruneRunConfig, type PruneRunState } from './run-dir.js';
import { openTrainingSource } from '../training/source.js';
import type { PruneEvent, PruneRunResult, PruneStepRecord, PruneStopReason, PruneToLatencyOptions } from './types.js';
import type { ProviderName } from '@stereo-sdk/edge-runtime';

/** Everything one session of the loop works with. */
interface Session {
  dir: string;
  config: PruneRunConfig;
  state: PruneRunState;
  stride: number;
  lookup?: LatencyLookup;
  val?: AccuracySet;
  teacher: string | Graph;
  threads: number;
  providers?: ProviderName[];
  signal?: AbortSignal;
  emit: (e: PruneEvent) => void;
}

/** Fails before any work rather than at the first write: creates `dir` and checks it is writable. */
async function ensureWritableDir(dir: string, what: string): Promise<void> {
  try {
    await fsp.mkdir(dir, { recursive: true });
    await fsp.access(dir, fsConstants.W_OK);
  } catch (e) {
    throw new StereoSdkError('ERR_OUTPUT', `${dir}: cannot write ${what} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, { cause: e });
  }
}

/** Measures a model: size and MACs at the target resolution, p50 through the edge runtime, accuracy on the validation set. */
async function measureStep(s: Session, graph: Graph, dep: DependencyGraph, fields: Pick<PruneStepRecord, 'step' | 'ratio' | 'scoredBy' | 'finetuneSteps' | 'finetuneLoss'>, started: number): Promise<PruneStepRecord> {
  const { config } = s;
  const { params, macs } = costAt(graph, config.resolution, s.stride);
  const latency = resolveLatencyOptions({ ...config.resolution, runs: config.runs, warmup: config.warmup, threads: s.threads, ...(s.providers ? { providers: s.providers } : {}) });
  const matcher = await openCandidate(graph, latency);
  let record: PruneStepRecord;
  try {
    const m = await timeMatcher(matcher, latency);
    const acc = s.val ? await s.val.score(matcher) : undefined;
    record = {
      ...fields,
      channels: prunableChannels(dep),
      params,
      macs,
      p50Ms: m.p50Ms,
      p90Ms: m.p90Ms,
      inferenceMs: m.inferenceMs,
      ...(s.lookup ? { predictedMs: s.lookup.predict(dep) } : {}),
      ...(acc ? { epe: acc.epe, bad2: acc.bad2, bad1: acc.bad1, d1: acc.d1 } : {}),
      model: stepModelName(fields.step),
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    await matcher.dispose();
  }
  return record;
}

/** Where a resumed run continues from: its last step's model, else the input model (a copy in the folder, the stored path, or the graph given again). */
async function resumeSource(dir: string, state: PruneRunState, config: PruneRunConfig, given: string | Graph | undefined): Promise<string | Graph> {
  if (state.steps.length > 0) return path.join(dir, state.steps.at(-1)!.model);
  const copy = pruneRunFiles(dir).step(0);
  if (await fsp.access(copy).then(() => true, () => false)) return copy;
  if (given instanceof Graph) return given;
  if (config.model.startsWith('<in-memory')) throw new InvalidParameterError(`This run prunes ${config.model} and stopped before saving it; pass the same graph as model again`);
  return config.model;
}

/** The teacher: the one given, the stored path, or the unpruned model (step 0) when none was given. */
function resolveTeacher(config: PruneRunConfig, given: string | Graph | undefined, unpruned: string): string | Graph {
  if (given instanceof Graph) return given;
  if (config.teacher === null) return unpruned;
  if (config.teacher.startsWith('<in-memory')) throw new InvalidParameterError(`This run distills from ${config.teacher}; pass the same graph as teacher again`);
  return config.teacher;
}

/** The latency the target is checked against. */
const latencyOf = (s: Session, r: PruneStepRecord): number => (s.lookup ? r.predictedMs! : r.p50Ms);

/** What to remove in step k, and the ratio of prunable channels that is. */
async function planStep(s: Session, graph: Graph, dep: DependencyGraph, k: number): Promise<{ plan: PrunePlan; scoredBy: ImportanceCriterion; goalMs?: number; predictedMs?: number }> {
  const { config } = s;
  let gradients: GradientStats | undefined;
  let scoredBy = config.criterion;
  if (config.criterion === 'taylor' || config.criterion === 'hessian') {
    const source = await openTrainingSource(config.data, { synthetic: { width: config.crop.width, height: config.crop.height } });
    const r = await stereoGradientStats(graph, { source, teacher: s.teacher, batches: config.gradientBatches, batch: config.batch, crop: config.crop, seed: config.seed + k, threads: s.threads });
    if ([...r.stats.sqGrad.values()].some((a) => a.some((v) => v > 0))) gradients = r.stats;
    else {
      // All-zero statistics rank nothing; this happens when the model is its own teacher on unlabeled data.
      scoredBy = 'l2';
      s.emit({ type: 'note', step: k, message: `the ${r.loss} loss has zero gradient here (the model is at its minimum, e.g. distilled from itself), so ${config.criterion} cannot rank channels; this step is scored by l2` });
    }
  }
  const scores = scoreGroups(graph, dep, scoredBy, gradients ? { gradients } : {});
  const base = { scope: config.scope, multiple: config.multiple };
  const fixedRatio = config.stepRatio ?? (config.targetMs === null ? 0.1 : undefined);
  if (fixedRatio !== undefined) return { plan: planPruning(dep, scores, { ...base, ratio: fixedRatio }), scoredBy };

  const last = s.state.steps.at(-1)!;
  const now = latencyOf(s, last);
  const goalMs = stepGoalMs(now, config.targetMs!, config.steps - last.step);
  if (s.lookup) {
    const { ratios } = allocateByLatency(dep, scores, s.lookup, now - goalMs, { multiple: config.multiple, maxGroupRatio: config.maxStepRatio });
    const plan = planPruning(dep, scores, { ratio: 0, multiple: config.multiple, groupRatios: ratios });
    return { plan, scoredBy, goalMs, predictedMs: s.lookup.predict(combStereo(applyPrunePlan(graph, dep, plan))) };
  }
  const predict = macsLatencyModel(s.state.steps.map((r) => ({ macs: r.macs, p50Ms: r.p50Ms, inferenceMs: r.inferenceMs })));
  const plans = new Map<number, { plan: PrunePlan; predicted: number }>();
  const at = async (ratio: number): Promise<number> => {
    let c = plans.get(ratio);
    if (!c) {
      const plan = planPruning(dep, scores, { ...base, ratio });
      const predicted = plan.size === 0 ? now : predict(costAt(applyPrunePlan(graph, dep, plan), config.resolution, s.stride).macs);
      c = { plan, predicted };
      plans.set(ratio, c);
    }
    return c.predicted;
  };
  const ratio = await searchStepRatio(at, goalMs, config.maxStepRatio);
  await at(ratio);
  const chosen = plans.get(ratio)!;
  return { plan: chosen.plan, scoredBy, goalMs, predictedMs: chosen.predicted };
}

/** Removed channels over the prunable channels before the cut. */
function planRatio(dep: DependencyGraph, plan: PrunePlan): number {
  let removed = 0;
  for (const g of dep.groups) {
    const kept = plan.get(g.id);
    if (kept) removed += g.size - kept.length;
  }
  const total = prunableChannels(dep);
  return total > 0 ? removed / total : 0;
}

/** Runs steps until a stop condition; returns why it stopped. */
async function runSteps(s: Session, start: Graph): Promise<{ reason: PruneStopReason; met: boolean }> {
  const { config } = s;
  const files = pruneRunFiles(s.dir);
  let current = start;
  for (;;) {
    const last = s.state.steps.at(-1)!;
    const met = config.targetMs === null || latencyOf(s, last) <= config.targetMs;
    if (config.targetMs !== null && met) return { reason: 'target-met', met: true };
    if (last.step >= config.steps) return { reason: 'max-steps', met };
    if (s.signal?.aborted) return { reason: 'stopped', met: false };
    const k = last.step + 1;
    const started = performance.now();
    const dep = combStereo(current);
    if (prunableChannels(dep) === 0) return { reason: 'no-prunable-channels', met };
    const { plan, scoredBy, goalMs, predictedMs } = await planStep(s, current, dep, k);
    if (plan.size === 0) return { reason: 'no-prunable-channels', met };
    const ratio = planRatio(dep, plan);
    s.emit({ type: 'planned', step: k, ratio, ...(goalMs !== undefined ? { goalMs } : {}), ...(predictedMs !== undefined ? { predictedMs } : {}) });
    const cut = applyPrunePlan(current, dep, plan);
    const tuned = await finetuneCandidate(cut, {
      teacher: s.teacher,
      data: config.data,
      steps: config.finetuneSteps,
      batch: config.batch,
      crop: config.crop,
      lr: config.lr,
      seed: config.seed + k,
      threads: s.threads,
      runDir: path.join(s.dir, `finetune-${String(k).padStart(3, '0')}`),
      cacheDir: path.join(s.dir, 'teacher-cache'),
      signal: s.signal,
      onProgress: (done, total, loss) => s.emit({ type: 'finetune', step: k, done, total, ...(loss !== undefined ? { loss } : {}) }),
    });
    // Stopped mid-fine-tuning: the step is not recorded, and a resumed run redoes it.
    if (!tuned.graph) return { reason: 'stopped', met: false };
    const record = await measureStep(s, tuned.graph, combStereo(tuned.graph), { step: k, ratio, scoredBy, finetuneSteps: tuned.steps, ...(tuned.loss !== undefined ? { finetuneLoss: tuned.loss } : {}) }, started);
    await writeOnnx(files.step(k), tuned.graph);
    s.state.steps.push(record);
    await writePruneState(s.dir, s.state);
    s.emit({ type: 'step', step: k, record });
    current = tuned.graph;
  }
}

/** A run opened for this session: its config and state, the model to continue from, the latency table and the validation set. */
interface OpenedRun {
  config: PruneRunConfig;
  state: PruneRunState;
  input: Graph;
  stride: number;
  lookup?: LatencyLookup;
  val?: AccuracySet;
}

/** Starts a run in `dir` (checking every input before anything is written), or reopens it to resume. */
async function openRun(dir: string, resume: boolean, options: PruneToLatencyOptions): Promise<OpenedRun> {
  const files = pruneRunFiles(dir);
  let config: PruneRunConfig;
  let state: PruneRunState;
  let input: Graph;
  let stride: number;
  if (resume) {
    config = resumeConfig(await readPruneConfig(dir), options);
    state = await readPruneState(dir);
    const loaded = await loadStereoModel(await resumeSource(dir, state, config, options.model));
    input = loaded.graph;
    stride = loaded.stride;
  } else {
    if (options.model === undefined) throw new InvalidParameterError('pruneToLatency needs model (an inference .onnx path or Graph)');
    const loaded = await loadStereoModel(options.model instanceof Graph ? options.model : path.resolve(options.model));
    config = resolvePruneConfig(options, loaded.label);
    if (await holdsPruneRun(dir)) throw new InvalidParameterError(`${dir} already holds a prune run; continue it with resume (--resume) or choose another run folder (--run-dir)`);
    // Any ONNX stereo model can teach (the distillation reads its contract or infers it); here only check it exists.
    if (typeof options.teacher === 'string' && !(await fsp.access(options.teacher).then(() => true, () => false))) throw new FileNotFoundError(options.teacher, 'teacher model');
    input = loaded.graph;
    stride = loaded.stride;
    state = { steps: [] };
  }
  let lookup: LatencyLookup | undefined;
  let table: LatencyTable | undefined;
  if (resume && config.lut) lookup = latencyLookup(await readLatencyTable(files.lut));
  if (!resume && options.lut !== undefined) {
    table = typeof options.lut === 'string' ? await readLatencyTable(options.lut) : parseLatencyTable(options.lut);
    lookup = latencyLookup(table);
    const { known, prunable } = lookup.matched(combStereo(input));
    if (known === 0) throw new InvalidParameterError(`The latency table (profiled on '${table.model.name}') knows none of this model's ${prunable} prunable groups; profile this model with \`stereo-sdk profile\``);
    if (table.preset.width !== config.resolution.width || table.preset.height !== config.resolution.height) {
      throw new InvalidParameterError(`The latency table holds for ${table.preset.width}x${table.preset.height} but the run measures at ${config.resolution.width}x${config.resolution.height}; pass the same --preset`);
    }
  }
  const val = config.val !== null ? await loadAccuracySet(await openTrainingSource(config.val), config.valLimit ?? undefined) : undefined;
  await ensureWritableDir(dir, 'the prune run folder');
  await ensureWritableDir(path.dirname(config.out), `the output folder of ${config.out}`);
  if (table) await writeLatencyTable(files.lut, table);
  if (!resume) await writePruneConfig(dir, config);
  // A run that ended may be resumed with more steps; its end is decided again.
  delete state.finished;
  return { config, state, input, stride, ...(lookup ? { lookup } : {}), ...(val ? { val } : {}) };
}

/**
 * Prunes a stereo model, step by step, until its p50 latency at the target resolution on this
 * device (or on the latency table's device) is at or below a target, fine-tuning with distillation
 * between steps.
 * @param options - model, data and out (required for a fresh run); teacher (default the unpruned
 *   model); val (accuracy after each step); targetMs (without it, `steps × stepRatio` runs);
 *   resolution (default KITTI 1242×375); steps (default 5); stepRatio (default 0.1 without a
 *   target, chosen by the planner with one); maxStepRatio (0.5); criterion ('l2'); scope
 *   ('local'); multiple (8); lut (latency table path or object); finetuneSteps (200); batch (2);
 *   crop (128×256); lr; gradientBatches (4); runs (20); warmup (3); threads (0); providers;
 *   seed (0); runDir (default `<out>.prune`); resume; signal; onEvent. See `PruneToLatencyOptions`.
 * @returns every step's record (step 0 = the input model), whether the target was met and why
 *   the loop stopped; the last step's model is written to `out` (unless stopped by `signal`).
 * @throws InvalidParameterError for bad options, or a run folder that already holds a run (without `resume`).
 * @throws FileNotFoundError / FileFormatError for a missing model, teacher or latency table, or a
 *   model that is not a stereo inference model.
 * @throws DatasetError for bad data or validation specs.
 * @example
 * const r = await pruneToLatency({ model: 'student.onnx', data: 'synth:', val: 'manifest:real/manifest.json', targetMs: 30, out: 'student-kitti30.onnx', threads: 2 });
 * console.log(r.met, r.steps.at(-1)?.p50Ms);
 */
export async function pruneToLatency(options: PruneToLatencyOptions): Promise<PruneRunResult> {
  const started = performance.now();
  if (!is.plainObject(options as unknown)) throw is.invalidParameterError('prune options', 'an object', options);
  const { resume = false, threads = 0, signal, onEvent } = options;
  is.assertBoolean('resume', resume);
  is.assertInteger('threads', threads, 0, 64);
  if (signal !== undefined && !(signal instanceof AbortSignal)) throw is.invalidParameterError('signal', 'an AbortSignal', signal);
  if (onEvent !== undefined && typeof onEvent !== 'function') throw is.invalidParameterError('onEvent', 'a function', onEvent);
  if (options.runDir !== undefined) is.assertString('runDir', options.runDir);
  const base = options.runDir ?? (options.out !== undefined ? defaultPruneRunDir(options.out) : undefined);
  if (base === undefined) throw new InvalidParameterError(resume ? 'Resuming needs the run folder (runDir / --run-dir) or the output it was started with (out)' : 'pruneToLatency needs data (fine-tuning data spec) and out (output .onnx path)');
  const dir = path.resolve(base);
  const files = pruneRunFiles(dir);

  const { config, state, input, stride, lookup, val } = await openRun(dir, resume, options);

  const session: Session = {
    dir,
    config,
    state,
    stride,
    lookup,
    val,
    teacher: resolveTeacher(config, options.teacher, files.step(0)),
    threads,
    providers: options.providers,
    signal,
    emit: (e) => onEvent?.(e),
  };
  session.emit({ type: 'start', runDir: dir, resumed: resume, fromStep: state.steps.length, maxSteps: config.steps, ...(config.targetMs !== null ? { targetMs: config.targetMs } : {}) });
  if (state.steps.length === 0) {
    await writeOnnx(files.step(0), input);
    const record = await measureStep(session, input, combStereo(input), { step: 0, ratio: 0, finetuneSteps: 0 }, started);
    state.steps.push(record);
    await writePruneState(dir, state);
    session.emit({ type: 'measured', step: 0, record });
  }
  const { reason, met } = await runSteps(session, input);
  let out: string | undefined;
  if (reason !== 'stopped') {
    state.finished = { reason, met };
    // The output is byte for byte the last step's model.
    await writeFileAtomic(config.out, await fsp.readFile(path.join(dir, state.steps.at(-1)!.model)));
    await writePruneState(dir, state);
    out = config.out;
  }
  session.emit({ type: 'end', reason, met });
  return {
    runDir: dir,
    ...(out !== undefined ? { out } : {}),
    ...(config.targetMs !== null ? { targetMs: config.targetMs } : {}),
    met,
    reason,
    latencySource: lookup ? 'lut' : 'measured',
    resolution: config.resolution,
    criterion: config.criterion,
    steps: state.steps,
    resumed: resume,
    seconds: (performance.now() - started) / 1000,
  };
}
