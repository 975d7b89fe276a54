/**
 * Public types of the prune-to-latency pipeline, kept apart from its implementation.
 */
import type { Graph, ImportanceCriterion } from '@stereo-sdk/core';
import type { ProviderName } from '@stereo-sdk/edge-runtime';
import type { LatencyTable } from './lut.js';

/** A target resolution: a preset name or `WxH`, and its size in pixels. */
export interface TargetResolution {
  /** `kitti`, `sceneflow`, or `WxH`. */
  name: string;
  width: number;
  height: number;
}

/** Options of `pruneToLatency`. Everything but `model`, `data` and `out` has a default. */
export interface PruneToLatencyOptions {
  /** The model to prune: an inference ONNX path, or an inference graph of the stereo family. */
  model?: string | Graph;
  /** Distillation teacher (path or graph); default the unpruned `model`. */
  teacher?: string | Graph;
  /** Fine-tuning (and gradient) data: any training data spec (`synth:…`, `kitti2015:DIR`, ...). */
  data?: string;
  /** Validation data with ground truth for EPE / bad-2 after every step; default none (accuracy not reported). */
  val?: string;
  /** Score only the first `valLimit` validation samples; required for an unbounded `synth:` spec without `count`. */
  valLimit?: number;
  /** Output model path (`.onnx`). */
  out?: string;
  /** Latency target in ms (p50 at `resolution`); without it, the fixed schedule `steps × stepRatio` runs. */
  targetMs?: number;
  /** Resolution latency is measured at; default KITTI (1242×375). */
  resolution?: TargetResolution;
  /** Most pruning steps, integer in [1, 100]; default 5 (Distill-then-prune). */
  steps?: number;
  /**
   * Fraction of prunable channels removed per step, in (0, 0.95]. Without a target the fixed
   * ratio (default 0.1, Distill-then-prune); with a target, when given, a fixed ratio too (the loop
   * stops once the target is met); otherwise the planner chooses each step's ratio, up to `maxStepRatio`.
   */
  stepRatio?: number;
  /** Largest ratio the latency planner may choose for one step, in (0, 0.95]; default 0.5. */
  maxStepRatio?: number;
  /** Importance criterion; default `'l2'`. `'taylor'` and `'hessian'` collect gradients first. */
  criterion?: ImportanceCriterion;
  /** `'local'` (default) or `'global'` channel selection (without a latency table). */
  scope?: 'local' | 'global';
  /** Kept channel counts are multiples of this, integer in [1, 256]; default 8. */
  multiple?: number;
  /**
   * Latency table (object or path to `lut.json` from `stereo-sdk profile`): per-group ms per
   * channel on the target device. With it, each step allocates per-group ratios by importance per
   * millisecond, and the target is checked against the table's predicted latency (the target
   * device's), while the local p50 is still measured and reported.
   */
  lut?: string | LatencyTable;
  /** Distillation fine-tuning steps after each pruning step, integer in [0, 1e6]; default 200. */
  finetuneSteps?: number;
  /** Fine-tuning batch size, integer in [1, 256]; default 2. */
  batch?: number;
  /** Fine-tuning crop `{ height, width }` (multiples of the stride); default 128×256. */
  crop?: { height: number; width: number };
  /** Fine-tuning peak learning rate; default: the distillation's own default. */
  lr?: number;
  /** Batches of gradient statistics for `'taylor'` / `'hessian'`, integer in [1, 1000]; default 4. */
  gradientBatches?: number;
  /** Timed calls per latency measurement, integer in [1, 10000]; default 20. */
  runs?: number;
  /** Warm-up calls per latency measurement, integer in [0, 1000]; default 3. */
  warmup?: number;
  /** onnxruntime intra-op threads for latency, accuracy and training, integer in [0, 64]; default 0 (one per core). */
  threads?: number;
  /** Execution providers for latency and accuracy; default `['cpu']`. */
  providers?: ProviderName[];
  /** Seed of data order and augmentation; default 0. */
  seed?: number;
  /** Run folder (config, state, every step's model); default `<out without .onnx>.prune`. */
  runDir?: string;
  /** Continue the run in `runDir` after its last completed step; default false. */
  resume?: boolean;
  /** Stops after the current step (its model and state are written). */
  signal?: AbortSignal;
  /** Progress events. */
  onEvent?: (event: PruneEvent) => void;
}

/** One row of the pruning report: the model after step `step` (step 0 is the input model). */
export interface PruneStepRecord {
  step: number;
  /** Fraction of the prunable channels removed in this step (0 for step 0). */
  ratio: number;
  /**
   * Criterion that ranked this step's channels: the run's, or 'l2' when a gradient criterion's
   * statistics vanished (a model distilled from itself sits at the loss minimum). Absent for step 0.
   */
  scoredBy?: ImportanceCriterion;
  /** Prunable channels left, over all groups. */
  channels: number;
  params: number;
  /** Multiply-accumulates at the target resolution (padded to the stride). */
  macs: number;
  /** Measured p50 latency on this device at the target resolution. */
  p50Ms: number;
  p90Ms: number;
  /** Median `session.run` time within the p50 (the rest is pre/postprocessing, which pruning does not change). */
  inferenceMs: number;
  /** Latency predicted by the latency table (the table's device), when one is used. */
  predictedMs?: number;
  /** Accuracy on `val`, when given. */
  epe?: number;
  bad2?: number;
  bad1?: number;
  d1?: number;
  /** Fine-tuning steps run after the cut, and the last distillation loss. */
  finetuneSteps: number;
  finetuneLoss?: number;
  /** Model file, relative to the run folder. */
  model: string;
  /** Wall time of the step, in seconds. */
  seconds: number;
}

/** Why the loop ended. */
export type PruneStopReason = 'target-met' | 'max-steps' | 'no-prunable-channels' | 'stopped';

/** What `pruneToLatency` returns. */
export interface PruneRunResult {
  runDir: string;
  /** Written output model, unless stopped by the signal. */
  out?: string;
  targetMs?: number;
  /** Whether the target was met (true without a target once the schedule completed). */
  met: boolean;
  reason: PruneStopReason;
  /** Latency the target is checked against: measured here, or predicted by the latency table. */
  latencySource: 'measured' | 'lut';
  resolution: TargetResolution;
  criterion: ImportanceCriterion;
  /** Step 0 (input model) and every completed step. */
  steps: PruneStepRecord[];
  /** Whether this session continued an earlier run. */
  resumed: boolean;
  seconds: number;
}

/** Progress events of `pruneToLatency`. */
export type PruneEvent =
  | { type: 'start'; runDir: string; resumed: boolean; fromStep: number; maxSteps: number; targetMs?: number }
  | { type: 'measured'; step: number; record: PruneStepRecord }
  | { type: 'planned'; step: number; ratio: number; predictedMs?: number; goalMs?: number }
  | { type: 'note'; step: number; message: string }
  | { type: 'finetune'; step: number; done: number; total: number; loss?: number }
  | { type: 'step'; step: number; record: PruneStepRecord }
  | { type: 'end'; reason: PruneStopReason; met: boolean };
