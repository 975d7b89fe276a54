/**
 * Public types of distillation: the stored run config, the log line of a step, events and what a
 * run returns. Implementations live in the sibling modules.
 */
import type { Graph } from '@stereo-sdk/core';
import type { LossWeights, RunEvent, StereoTrainingConfig, ValLogLine } from '../training/types.js';
import type { KdLoss } from './losses.js';

/** The softening temperature, annealed linearly from `start` (step 1) to `end` (the last step). */
export interface TemperatureSchedule {
  readonly start: number;
  readonly end: number;
}

/**
 * Everything that defines a distillation run; stored in `run.json` so a resumed run continues with
 * exactly these values. The training fields mean what they mean for `trainStereo`.
 */
export interface StereoDistillConfig extends Omit<StereoTrainingConfig, 'loss' | 'out'> {
  /** Output inference model; null: the model is only returned. */
  readonly out: string | null;
  /** The teacher (a path, or a label for an in-memory graph). */
  readonly teacher: string;
  /** Weight of each distillation term (0: unused). */
  readonly kd: Readonly<Record<KdLoss, number>>;
  readonly temperature: TemperatureSchedule;
  /** Weight of the supervised smooth-L1 term; 0 = teacher only. */
  readonly gtWeight: number;
  /** Weights inside the supervised term. */
  readonly gtLoss: LossWeights;
  /** `disp-l1` trusts teacher pixels with at least this confidence; 0: all. */
  readonly confidenceThreshold: number;
  /** Teacher output holding its features (feature hints); null: found by name. */
  readonly teacherFeature: string | null;
  /** Student value the feature adapter reads; null: the default context features. */
  readonly studentFeature: string | null;
  /** Cache the teacher's outputs for un-augmented samples on disk. */
  readonly cache: boolean;
  /** Cache folder; null: `teacher-cache` in the run folder. */
  readonly cacheDir: string | null;
  /** What validation scores against: the ground truth, or (unlabeled data) the teacher's disparity; null without validation. */
  readonly valReference: 'ground-truth' | 'teacher' | null;
}

/** One line of `log.jsonl` for a distillation step. */
export interface DistillLogLine {
  readonly type: 'train';
  readonly step: number;
  readonly loss: number;
  /** Unweighted value of each term used (`dist-l1`, `dist-kl`, `disp-l1`, `feature`, `gt`). */
  readonly terms: Readonly<Partial<Record<KdLoss | 'gt', number>>>;
  /** Mean absolute difference to the teacher's disparity on its trusted pixels. */
  readonly teacherEpe: number;
  /** Mean absolute error against the ground truth (with ground truth only). */
  readonly epe?: number;
  readonly temperature: number;
  readonly lr: number;
  readonly gradNorm: number;
  readonly ms: number;
}

/** A line of a distillation run's `log.jsonl`. */
export type DistillRunLogLine = DistillLogLine | ValLogLine;

/** Progress events of `distillStereo`. */
export type StereoDistillEvent = RunEvent<DistillLogLine>;

/** Teacher work of a session. */
export interface TeacherStats {
  /** Teacher inferences run (whole images for the cache, and augmented or uncached crops). */
  readonly runs: number;
  readonly cacheHits: number;
  readonly cacheMisses: number;
}

/** What `distillStereo` returns. */
export interface StereoDistillResult {
  readonly config: StereoDistillConfig;
  readonly runDir: string;
  readonly step: number;
  /** True when a signal stopped the run (checkpoint written, nothing exported). */
  readonly stopped: boolean;
  readonly outOfTime: boolean;
  /** The exported inference model (BN folded, contract embedded); undefined when stopped. */
  readonly graph?: Graph;
  /** The file it was written to (when `out` was given). */
  readonly model?: string;
  readonly exportedStep?: number;
  readonly best?: { readonly step: number } & Omit<ValLogLine, 'type' | 'step' | 'best'>;
  readonly log: readonly DistillRunLogLine[];
  readonly seconds: number;
  readonly params: number;
  /** Teacher inferences and cache use in this session. */
  readonly teacher: TeacherStats;
  readonly files: { readonly checkpoint: string; readonly best?: string; readonly log: string; readonly config: string; readonly cache?: string };
}
