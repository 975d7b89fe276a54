/** Public types of the trainer: optimizer and schedule configs, options, step results and events. */
import type { BackendTensor } from '../backend/types.js';
import type { Tensor } from '../graph/types.js';

/**
 * AdamW as PyTorch's `torch.optim.AdamW`: decoupled weight decay (`p ← p·(1 − lr·wd)`) and
 * bias-corrected moments.
 */
export interface AdamWConfig {
  readonly type: 'adamw';
  /** Base learning rate, > 0 (the schedule scales it). */
  readonly lr: number;
  /** Default [0.9, 0.999], each in [0, 1). */
  readonly betas?: readonly [number, number];
  /** Default 1e-8, >= 0. */
  readonly eps?: number;
  /** Decoupled weight decay; default 0.01 (PyTorch's default), >= 0. */
  readonly weightDecay?: number;
}

/** SGD as PyTorch's `torch.optim.SGD` (dampening 0): `buf ← μ·buf + g`, `p ← p − lr·buf`. */
export interface SgdConfig {
  readonly type: 'sgd';
  /** Base learning rate, > 0. */
  readonly lr: number;
  /** Momentum μ in [0, 1); default 0 (no momentum buffer). */
  readonly momentum?: number;
  /** Nesterov momentum (needs momentum > 0); default false. */
  readonly nesterov?: boolean;
  /** L2 weight decay added to the gradient; default 0, >= 0. */
  readonly weightDecay?: number;
}

/** An in-graph optimizer. */
export type OptimizerConfig = AdamWConfig | SgdConfig;

/**
 * A learning-rate schedule, evaluated in JS before each step (so changing it needs no graph
 * rebuild). `warmupSteps` (default 0) adds a linear warmup from `warmupStartFactor·lr` (default
 * 0.01) to `lr`; the main schedule then runs over the remaining `totalSteps − warmupSteps` steps,
 * as PyTorch's `SequentialLR(LinearLR, main)`.
 */
export type ScheduleConfig =
  | { readonly type: 'constant'; readonly warmupSteps?: number; readonly warmupStartFactor?: number }
  | {
      /** `CosineAnnealingLR(T_max = totalSteps − warmupSteps, eta_min = minLr)`. */
      readonly type: 'cosine';
      readonly totalSteps: number;
      /** Default 0. */
      readonly minLr?: number;
      readonly warmupSteps?: number;
      readonly warmupStartFactor?: number;
    }
  | {
      /**
       * `OneCycleLR(max_lr = lr, total_steps, pct_start, div_factor, final_div_factor,
       * anneal_strategy='cos', cycle_momentum=False)`.
       */
      readonly type: 'oneCycle';
      readonly totalSteps: number;
      /** Fraction of steps spent rising; default 0.3, in (0, 1). */
      readonly pctStart?: number;
      /** Initial lr = lr / divFactor; default 25. */
      readonly divFactor?: number;
      /** Final lr = initial lr / finalDivFactor; default 1e4. */
      readonly finalDivFactor?: number;
      readonly warmupSteps?: number;
      readonly warmupStartFactor?: number;
    };

/** A batch: one tensor per data input of the training graph (image, target, mask...). */
export type Feeds = Readonly<Record<string, BackendTensor | Tensor>>;

/** Options of `createTrainer`. */
export interface TrainerOptions {
  /** Name of the scalar loss output of the graph; default `'loss'`. */
  loss?: string;
  /** The optimizer; default AdamW with lr 1e-3. */
  optimizer?: OptimizerConfig;
  /** Default `{ type: 'constant' }`. */
  schedule?: ScheduleConfig;
  /** Clip the global L2 norm of all gradients to this value (> 0), as `clip_grad_norm_`; default off. */
  clipGradNorm?: number;
  /**
   * Trainable parameters by name. Default: every float32 initializer of rank >= 1 that the loss
   * depends on, except BatchNormalization running statistics and builder constants (`const`,
   * `<scope>.const_3`); rank-0 initializers are taken as constants (exporters store scalars so).
   */
  params?: readonly string[];
  /**
   * Parameters to keep fixed: exact names, or prefixes (`'feature.'` or `'feature'` freezes
   * `feature.conv0.weight`), or regular expressions.
   */
  freeze?: readonly (string | RegExp)[];
  /** Parameters without weight decay (same matching as `freeze`), e.g. BN scales and biases. */
  noWeightDecay?: readonly (string | RegExp)[];
  /** Extra scalar graph outputs reported with each step (e.g. an EPE metric); default none. */
  metrics?: readonly string[];
  /** Intra-op threads, [0, 64]; default 0 = one per core. */
  threads?: number;
  /** Execution providers tried in order; default `['cpu']`. */
  providers?: readonly string[];
  /** Called for every step, checkpoint and divergence. */
  onEvent?: (event: TrainEvent) => void;
}

/** What one training step reports. */
export interface StepResult {
  /** Number of completed steps, this one included (1 after the first step). */
  readonly step: number;
  readonly loss: number;
  /** Learning rate used by this step. */
  readonly lr: number;
  /** Global L2 norm of the gradients before clipping. */
  readonly gradNorm: number;
  /** Values of the requested metric outputs. */
  readonly metrics: Readonly<Record<string, number>>;
  /** Wall time of the step in milliseconds (the session run and the bookkeeping around it). */
  readonly ms: number;
}

/** Progress events; the CLI turns them into progress bars and JSON lines. */
export type TrainEvent =
  | ({ readonly type: 'step' } & StepResult)
  | { readonly type: 'start'; readonly step: number; readonly totalSteps: number }
  | { readonly type: 'checkpoint'; readonly step: number; readonly path: string }
  | { readonly type: 'diverged'; readonly step: number; readonly loss: number; readonly gradNorm: number; readonly checkpoint?: string }
  | { readonly type: 'end'; readonly step: number };
