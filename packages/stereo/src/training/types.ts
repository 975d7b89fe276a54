/**
 * Public types of supervised stereo training: options, events, validation results and what a run
 * returns. Implementations live in the sibling modules.
 */
import type { StereoNetConfigInit } from '../nets/config.js';
import type { StereoNetKind } from '../nets/network.js';

/** Crop size in pixels (both multiples of the network stride). */
export interface CropSize {
  readonly height: number;
  readonly width: number;
}

/** Weights of the multi-scale loss terms (each ≥ 0, at least one > 0). */
export interface LossWeights {
  /** Smooth-L1 of the full-resolution disparity against the ground truth; default 1. */
  readonly full: number;
  /** Smooth-L1 of 4 × soft-argmin(logits) at 1/4 resolution against the block-averaged ground truth; default 0.5. */
  readonly quarter: number;
}

/** Learning-rate schedules of the CLI (core's `ScheduleConfig` types). */
export type TrainingSchedule = 'constant' | 'cosine' | 'onecycle';

/** Metric that picks the best validation checkpoint (lower is better). */
export type SelectionMetric = 'epe' | 'bad2';

/** Augmentation of training samples after the random crop. */
export interface TrainingAugmentation {
  /** Asymmetric colour jitter (brightness, contrast, gamma per view). */
  readonly color: boolean;
  /** Occlusion patches in the right view (sizes scale with the crop). */
  readonly occlusion: boolean;
}

/**
 * Everything that defines a training run. Stored in `run.json` of the run folder, so a resumed
 * run continues with exactly these values.
 */
export interface StereoTrainingConfig {
  readonly arch: StereoNetKind;
  /** Overrides of the network preset (width multiplier, max disparity, ...); empty with `init`. */
  readonly net: StereoNetConfigInit;
  /** The model training started from (a path, or a label for an in-memory graph); null: fresh weights from `arch` and `net`. */
  readonly init: string | null;
  /** Training data spec (see `openTrainingSource`). */
  readonly data: string;
  /** Validation data spec; null: none. */
  readonly val: string | null;
  /** Split of `data` to train on (`train` when validation uses the same spec's `val` split). */
  readonly dataSplit: 'train' | 'all';
  /** Validation split of `val`. */
  readonly valSplit: 'val' | 'all';
  /** Validate on at most this many samples; null: all. */
  readonly valLimit: number | null;
  /** Output inference model. */
  readonly out: string;
  /** Total optimizer steps. */
  readonly steps: number;
  /** Time budget in seconds that `steps` was derived from, if any (training also stops at it). */
  readonly timeBudget: number | null;
  readonly batch: number;
  readonly crop: CropSize;
  /** Peak learning rate (AdamW). */
  readonly lr: number;
  /** AdamW decoupled weight decay (not applied to BN parameters and biases). */
  readonly weightDecay: number;
  readonly schedule: TrainingSchedule;
  readonly warmup: number;
  /** Clip the global gradient norm; null: off. */
  readonly clipGradNorm: number | null;
  readonly loss: LossWeights;
  readonly augment: TrainingAugmentation;
  /** Validate every this many steps (0: only at the end). */
  readonly valEvery: number;
  /** Checkpoint every this many steps (also after each validation and at the end). */
  readonly ckptEvery: number;
  readonly selectBy: SelectionMetric;
  /** Seeds weights, data order, augmentation and on-the-fly synthetic data. */
  readonly seed: number;
}

/** Validation scores; rates are percentages in [0, 100], means are over scenes (each weighs the same). */
export interface ValidationResult {
  readonly epe: number;
  readonly bad1: number;
  readonly bad2: number;
  readonly bad3: number;
  readonly d1: number;
  /** Scenes scored. */
  readonly scenes: number;
  /** Wall time of the validation pass in milliseconds. */
  readonly ms: number;
  /** Per-scene scores, in order. */
  readonly perScene: readonly { readonly name: string; readonly epe: number; readonly bad2: number; readonly pixels: number }[];
}

/** One line of the JSON-lines log (`log.jsonl`) for a training step. */
export interface TrainLogLine {
  readonly type: 'train';
  readonly step: number;
  readonly loss: number;
  readonly lossFull: number;
  readonly lossQuarter: number;
  /** Mean absolute error of the full-resolution disparity on the batch's valid pixels. */
  readonly epe: number;
  readonly lr: number;
  readonly gradNorm: number;
  readonly ms: number;
}

/** One line of the JSON-lines log for a validation pass. */
export interface ValLogLine {
  readonly type: 'val';
  readonly step: number;
  readonly epe: number;
  readonly bad1: number;
  readonly bad2: number;
  readonly bad3: number;
  readonly d1: number;
  readonly scenes: number;
  readonly ms: number;
  /** True when this pass set a new best (and `best.onnx` was written). */
  readonly best: boolean;
}

/** A line of `log.jsonl`. */
export type TrainingLogLine = TrainLogLine | ValLogLine;

/** The fields every training-step log line has (supervised and distillation runs). */
export interface StepLogLine {
  readonly type: 'train';
  readonly step: number;
  readonly loss: number;
  readonly lr: number;
  readonly gradNorm: number;
  readonly ms: number;
}

/**
 * Progress events of a run whose step lines are `L` (the CLI turns them into progress bars and
 * lines). `export.path` is absent when a run returns its model without writing it.
 */
export type RunEvent<L extends StepLogLine> =
  | { readonly type: 'start'; readonly step: number; readonly totalSteps: number; readonly resumed: boolean; readonly runDir: string; readonly params: number }
  | { readonly type: 'calibrated'; readonly stepMs: number; readonly totalSteps: number }
  | ({ readonly type: 'step'; readonly totalSteps: number } & Omit<L, 'type'>)
  | ({ readonly type: 'validation' } & Omit<ValLogLine, 'type'>)
  | { readonly type: 'checkpoint'; readonly step: number; readonly path: string }
  | { readonly type: 'export'; readonly step: number; readonly path?: string }
  | { readonly type: 'end'; readonly step: number; readonly stopped: boolean };

/** Progress events of `trainStereo` (the CLI turns them into progress bars and lines). */
export type StereoTrainingEvent = RunEvent<TrainLogLine>;

/** What `trainStereo` returns. */
export interface StereoTrainingResult {
  readonly config: StereoTrainingConfig;
  readonly runDir: string;
  /** Completed steps (equal to `config.steps` unless stopped or out of time). */
  readonly step: number;
  /** True when a signal stopped the run before the end (a checkpoint was written; no export). */
  readonly stopped: boolean;
  /** True when the time budget ended the run before `config.steps`. */
  readonly outOfTime: boolean;
  /** The exported inference model (undefined when stopped). */
  readonly model?: string;
  /** Step whose weights were exported (the best validation, or the last step without validation). */
  readonly exportedStep?: number;
  /** The best validation so far (undefined without validation data). */
  readonly best?: { readonly step: number } & Omit<ValLogLine, 'type' | 'step' | 'best'>;
  /** Every log line of the run, resumed parts included, in order. */
  readonly log: readonly TrainingLogLine[];
  /** Wall time of the whole run in seconds, summed over resumed sessions. */
  readonly seconds: number;
  /** Trainable parameter count. */
  readonly params: number;
  /** Files of the run folder. */
  readonly files: { readonly checkpoint: string; readonly best?: string; readonly log: string; readonly config: string };
}
