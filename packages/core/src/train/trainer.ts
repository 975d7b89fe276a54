/**
 * The trainer: one onnxruntime session runs forward, loss, backward and the optimizer update; the
 * updated parameters, BN statistics and moments come back as outputs and are fed, as they are
 * (no copy), as the next step's inputs. The learning rate comes from the schedule in JS each step.
 */
import { FileFormatError, InvalidParameterError, ShapeMismatchError } from '../errors.js';
import * as is from '../is.js';
import { createGraphSession } from '../backend/graph-session.js';
import type { BackendTensor, Session, SessionOptions } from '../backend/types.js';
import { Graph } from '../graph/graph.js';
import { readOnnx, writeOnnx } from '../graph/onnx-io.js';
import { makeTensor } from '../graph/tensor.js';
import type { Tensor } from '../graph/types.js';
import { attachTrainingState, splitCheckpoint, type SavedTraining, type StoredTrainConfig } from './checkpoint.js';
import { resolveConfig } from './config.js';
import { TrainingDivergedError } from './errors.js';
import { toInferenceGraph, type InferenceExportOptions } from './export.js';
import { learningRateAt } from './schedule.js';
import { buildStepGraph, STEP_NAMES, type StepGraph } from './step-graph.js';
import type { Feeds, StepResult, TrainerOptions, TrainEvent } from './types.js';
import { runFit, type FitOptions, type FitResult } from './fit.js';

const scalar64 = (v: number): BackendTensor => ({ type: 'float64', dims: [], data: new Float64Array([v]) });
const toBackend = (t: BackendTensor | Tensor): BackendTensor => ('dtype' in t ? { type: t.dtype, dims: t.dims, data: t.data } : t);
const toTensor = (t: BackendTensor): Tensor => ({ dtype: t.type, dims: t.dims, data: t.data });
const first = (t: BackendTensor | undefined): number => Number(t?.data[0]);

/**
 * A model in training. Make one with `createTrainer` or `resumeTrainer`; call `trainStep` (or
 * `fit`), then `saveCheckpoint` / `exportInference`, and `release` at the end.
 */
export class Trainer {
  private readonly state = new Map<string, BackendTensor>();
  private readonly evalSessions = new Map<string, Promise<Session>>();
  private completed: number;
  private running = false;

  /** @internal use `createTrainer` */
  constructor(
    private readonly model: Graph,
    private readonly config: StoredTrainConfig,
    private readonly stepGraph: StepGraph,
    private readonly session: Session,
    private readonly sessionOptions: SessionOptions,
    private readonly onEvent: ((e: TrainEvent) => void) | undefined,
    saved: SavedTraining | undefined,
  ) {
    this.completed = saved?.step ?? 0;
    for (const slot of stepGraph.state) {
      const t = model.initializer(slot.name) ?? saved?.moments.get(slot.name) ?? makeTensor('float32', stepGraph.graph.staticShape(slot.name));
      const expected = stepGraph.graph.staticShape(slot.name);
      if (t.dims.length !== expected.length || t.dims.some((d, i) => d !== expected[i])) {
        throw new ShapeMismatchError(`State '${slot.name}' has shape [${t.dims.join(', ')}] but the model needs [${expected.join(', ')}]`);
      }
      this.state.set(slot.name, toBackend(t));
    }
  }

  /** Completed steps (0 for a new trainer; the checkpoint's count when resumed). */
  get step(): number {
    return this.completed;
  }
  /** The trained parameters, in order. */
  get params(): readonly string[] {
    return this.stepGraph.params;
  }
  /** Graph inputs each batch must provide. */
  get dataInputs(): readonly string[] {
    return this.stepGraph.dataInputs;
  }
  /** The execution provider running the step. */
  get provider(): string {
    return this.session.provider;
  }
  /** The effective configuration (also what checkpoints store). */
  get trainConfig(): StoredTrainConfig {
    return this.config;
  }
  /** The training-step graph (forward, backward and update), e.g. to inspect or profile it. */
  get trainingGraph(): Graph {
    return this.stepGraph.graph;
  }
  /** The learning rate the next step will use. */
  get learningRate(): number {
    return learningRateAt(this.config.schedule, this.config.optimizer.lr, this.completed);
  }

  private batchFeeds(feeds: Feeds): Record<string, BackendTensor> {
    if (!is.plainObject(feeds as unknown)) throw is.invalidParameterError('feeds', 'an object of tensors by input name', feeds);
    const out: Record<string, BackendTensor> = {};
    const g = this.stepGraph.graph;
    for (const name of this.stepGraph.dataInputs) {
      const f = feeds[name];
      if (!f) throw new InvalidParameterError(`Missing batch input '${name}' (the step needs ${this.stepGraph.dataInputs.join(', ')})`);
      const t = toBackend(f);
      const want = g.staticShape(name);
      if (t.type !== g.dtype(name)) throw new InvalidParameterError(`Batch input '${name}' must be ${g.dtype(name)}, got ${t.type}`);
      if (t.dims.length !== want.length || t.dims.some((d, i) => d !== want[i])) {
        throw new ShapeMismatchError(`Batch input '${name}' has shape [${t.dims.join(', ')}] but the training graph was built for [${want.join(', ')}]`);
      }
      out[name] = t;
    }
    return out;
  }

  /**
   * Runs one training step on a batch.
   * @param feeds one tensor per data input (`dataInputs`), with the graph's static shapes
   * @returns loss, learning rate, gradient norm, metrics and time of the step
   * @throws TrainingDivergedError when the loss or the gradient norm is not finite; the weights
   *   stay as they were before the step
   * @throws InvalidParameterError / ShapeMismatchError naming a missing or mis-shaped input, or
   *   when called again before the previous step finished
   * @example const { loss } = await trainer.trainStep({ x, target });
   */
  async trainStep(feeds: Feeds): Promise<StepResult> {
    if (this.running) throw new InvalidParameterError('trainStep was called while a step is running: await each step before the next');
    this.running = true;
    try {
      return await this.runStep(feeds);
    } finally {
      this.running = false;
    }
  }

  private async runStep(feeds: Feeds): Promise<StepResult> {
    const t0 = performance.now();
    const lr = this.learningRate;
    const inputs = this.batchFeeds(feeds);
    for (const [name, t] of this.state) inputs[name] = t;
    inputs[STEP_NAMES.lr] = scalar64(lr);
    inputs[STEP_NAMES.step] = scalar64(this.completed + 1);
    const run: Record<string, BackendTensor> = {};
    for (const name of this.session.inputNames) run[name] = inputs[name]!;
    const out = await this.session.run(run);
    const loss = first(out[this.config.loss]);
    const gradNorm = first(out[STEP_NAMES.gradNorm]);
    if (!Number.isFinite(loss) || !Number.isFinite(gradNorm)) throw new TrainingDivergedError(this.completed + 1, loss, gradNorm);
    for (const slot of this.stepGraph.state) this.state.set(slot.name, out[slot.next]!);
    this.completed++;
    const metrics: Record<string, number> = {};
    for (const m of this.config.metrics) metrics[m] = first(out[m]);
    const result: StepResult = { step: this.completed, loss, lr, gradNorm, metrics, ms: performance.now() - t0 };
    this.onEvent?.({ type: 'step', ...result });
    return result;
  }

  /**
   * The model graph (as given, BN in inference form, loss included) holding the current weights
   * and running statistics as initializers: the training graph's evaluation mode.
   * @returns a new graph (tensors copied)
   */
  modelGraph(): Graph {
    const g = this.model.clone({ shareTensors: true });
    for (const [name, t] of this.state) if (g.isInitializer(name)) g.setInitializer(name, { ...toTensor(t), data: t.data.slice() });
    return g;
  }

  /**
   * The checkpoint graph: `modelGraph()` plus the optimizer moments (`optim/...` initializers) and
   * the step counter and config (metadata).
   */
  checkpointGraph(): Graph {
    const g = this.modelGraph();
    const moments = new Map<string, Tensor>(this.stepGraph.moments.map((m) => [m.name, toTensor(this.state.get(m.name)!)]));
    attachTrainingState(g, { step: this.completed, config: this.config, moments });
    return g;
  }

  /**
   * Writes a checkpoint atomically (temp file + rename): an ONNX model with the current weights,
   * optimizer state and step counter. `resumeTrainer(path)` continues exactly from it.
   * @param path destination .onnx file; parent folders are created
   * @example await trainer.saveCheckpoint('runs/ckpt.onnx');
   */
  async saveCheckpoint(path: string): Promise<void> {
    is.assertString('path', path);
    await writeOnnx(path, this.checkpointGraph());
  }

  /**
   * An inference graph of the current weights: loss and training-only inputs removed, BN folded
   * into the preceding convolutions (see `toInferenceGraph`).
   * @param opts outputs to keep (default all but the loss and metrics), foldBatchNorm (default true)
   * @example await writeOnnx('student.onnx', trainer.exportInference({ outputs: ['disparity'] }));
   */
  exportInference(opts: InferenceExportOptions = {}): Graph {
    return toInferenceGraph(this.modelGraph(), { loss: this.config.loss, exclude: this.config.metrics, ...opts });
  }

  /**
   * Runs the model in evaluation mode (BN with running statistics) with the current weights.
   * @param feeds the inputs the requested outputs need
   * @param outputs output names; default every model output but the loss and metrics
   * @returns the outputs by name
   * @example const { disparity } = await trainer.evaluate({ left, right }, ['disparity']);
   */
  async evaluate(feeds: Feeds, outputs?: readonly string[]): Promise<Record<string, BackendTensor>> {
    const wanted = outputs ?? this.model.outputs.filter((o) => o !== this.config.loss && !this.config.metrics.includes(o));
    if (!Array.isArray(wanted) || wanted.length === 0 || !wanted.every(is.string)) throw is.invalidParameterError('outputs', 'a non-empty array of output names', outputs);
    const key = JSON.stringify(wanted);
    let pending = this.evalSessions.get(key);
    if (!pending) {
      pending = createGraphSession(this.evalGraph(wanted), this.sessionOptions);
      this.evalSessions.set(key, pending);
    }
    const session = await pending;
    const run: Record<string, BackendTensor> = {};
    for (const name of session.inputNames) {
      const t = this.state.get(name) ?? feeds[name];
      if (!t) throw new InvalidParameterError(`Missing input '${name}' for evaluating ${wanted.join(', ')}`);
      run[name] = toBackend(t);
    }
    return session.run(run);
  }

  /** The model with the trained state as inputs, cut down to `outputs`. */
  private evalGraph(outputs: readonly string[]): Graph {
    const g = this.model.clone({ shareTensors: true });
    for (const o of outputs) if (!g.hasValue(o)) throw new InvalidParameterError(`'${o}' is not a value of graph '${g.name}'`);
    g.setOutputs(outputs);
    g.removeDeadCode();
    for (const name of this.state.keys()) {
      const t = g.initializer(name);
      if (!t) continue;
      g.removeInitializer(name);
      g.addInput(name, { dtype: t.dtype, shape: t.dims });
    }
    for (const name of [...g.inputs]) if (g.uses(name).length === 0 && !g.isOutput(name)) g.removeInput(name);
    return g;
  }

  /** Frees the sessions. The trainer must not be used afterwards. */
  async release(): Promise<void> {
    const evals = await Promise.allSettled([...this.evalSessions.values()]);
    this.evalSessions.clear();
    await Promise.all([this.session.release(), ...evals.flatMap((r) => (r.status === 'fulfilled' ? [r.value.release()] : []))]);
  }

  /**
   * Trains for `opts.steps` steps: pulls batches, reports events (`start`, `step`, `checkpoint`,
   * `diverged`, `end`), appends metrics as JSON lines, and writes checkpoints atomically.
   * @param opts see `FitOptions`
   * @returns steps run and the last step's result
   * @throws TrainingDivergedError naming the step; the weights and the checkpoint on disk stay at
   *   the last good state
   * @example await trainer.fit({ steps: 1000, data: (step) => loader.batch(step), checkpoint: 'ckpt.onnx', checkpointEvery: 100 });
   */
  fit(opts: FitOptions): Promise<FitResult> {
    return runFit(this, opts);
  }

  /** @internal lets `fit` report events through the same callback. */
  emit(event: TrainEvent): void {
    this.onEvent?.(event);
  }
}

/**
 * Builds the training step of a model and loads it into onnxruntime.
 * @param graph model + scalar loss output (BN in inference form; static shapes). A checkpoint graph
 *   (from `checkpointGraph()` or a checkpoint file) resumes its weights, moments and step count.
 * @param options see `TrainerOptions`; when resuming, omitted fields come from the checkpoint
 * @returns the trainer
 * @throws InvalidParameterError on bad options, a missing/non-scalar loss, no trainable parameter
 * @throws GraphValidationError naming the node when an op on the loss path has no gradient rule
 * @throws BackendError when no execution provider can load the step graph
 * @example
 * const trainer = await createTrainer(graph, { optimizer: { type: 'adamw', lr: 1e-3 }, threads: 2 });
 * for (const batch of batches) await trainer.trainStep(batch);
 */
export async function createTrainer(graph: Graph, options: TrainerOptions = {}): Promise<Trainer> {
  if (!(graph instanceof Graph)) throw is.invalidParameterError('graph', 'a Graph', graph);
  const { model, saved } = splitCheckpoint(graph);
  const config = resolveConfig(model, options, saved?.config, saved?.step);
  const stepGraph = buildStepGraph(model, {
    loss: config.loss,
    params: config.params,
    noDecay: new Set(config.noDecay),
    optimizer: config.optimizer,
    clipGradNorm: config.clipGradNorm ?? undefined,
    metrics: config.metrics,
  });
  const sessionOptions: SessionOptions = { threads: options.threads, providers: options.providers };
  const session = await createGraphSession(stepGraph.graph, sessionOptions);
  try {
    return new Trainer(model, { ...config, params: [...stepGraph.params] }, stepGraph, session, sessionOptions, options.onEvent, saved);
  } catch (e) {
    await session.release();
    throw e;
  }
}

/**
 * Continues training from a checkpoint file written by `saveCheckpoint`.
 * @param path the checkpoint .onnx file
 * @param options overrides (threads, providers, onEvent, or a new schedule); the rest comes from
 *   the checkpoint
 * @throws FileNotFoundError / FileFormatError when the file is missing, not ONNX, or not a checkpoint
 * @example const trainer = await resumeTrainer('runs/ckpt.onnx', { threads: 2 });
 */
export async function resumeTrainer(path: string, options: TrainerOptions = {}): Promise<Trainer> {
  is.assertString('path', path);
  const graph = await readOnnx(path);
  const { saved } = splitCheckpoint(graph, path);
  if (!saved) throw new FileFormatError(path, 'not a training checkpoint (no stereo_sdk.train.step metadata); use createTrainer(await readOnnx(path)) to start training it');
  return createTrainer(graph, options);
}
