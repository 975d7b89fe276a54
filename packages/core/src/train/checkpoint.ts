/**
 * Checkpoint layout: an ordinary ONNX model (the source graph with the current weights and BN
 * running statistics as its initializers) plus the optimizer moments as extra initializers under
 * `optim/<param>/<role>` and two metadata_props: the step counter and the training config as JSON.
 * Any ONNX tool can open it; `splitCheckpoint` takes it apart again for an exact resume.
 */
import { FileFormatError } from '../errors.js';
import type { Graph } from '../graph/graph.js';
import type { Tensor } from '../graph/types.js';
import { OPTIM_PREFIX, TRAIN_METADATA_PREFIX } from './export.js';
import type { ResolvedOptimizer } from './optim.js';
import type { ResolvedSchedule } from './schedule.js';

/** metadata_props keys of a checkpoint. */
export const CHECKPOINT_KEYS = { step: `${TRAIN_METADATA_PREFIX}step`, config: `${TRAIN_METADATA_PREFIX}config` } as const;

/** The training configuration stored in a checkpoint (everything that shapes the step graph). */
export interface StoredTrainConfig {
  readonly version: 1;
  readonly loss: string;
  readonly params: readonly string[];
  readonly noDecay: readonly string[];
  readonly optimizer: ResolvedOptimizer;
  readonly schedule: ResolvedSchedule;
  readonly clipGradNorm: number | null;
  readonly metrics: readonly string[];
}

/** What a checkpoint holds besides the model. */
export interface SavedTraining {
  /** Completed steps. */
  readonly step: number;
  readonly config: StoredTrainConfig;
  /** Optimizer moments by state name (`optim/<param>/<role>`). */
  readonly moments: ReadonlyMap<string, Tensor>;
}

/**
 * Adds the optimizer state and step counter to a model graph (in place).
 * @param model the source graph holding the current weights as initializers
 * @param saved step, config and moments to store
 */
export function attachTrainingState(model: Graph, saved: SavedTraining): void {
  for (const [name, t] of saved.moments) model.addInitializer(name, t);
  model.metadata.set(CHECKPOINT_KEYS.step, String(saved.step));
  model.metadata.set(CHECKPOINT_KEYS.config, JSON.stringify(saved.config));
}

/**
 * Separates a checkpoint graph into the model and the training state.
 * @param graph a graph that may be a checkpoint (not modified)
 * @param source file name for error messages
 * @returns the model graph (no `optim/` initializers, no training metadata) and the saved state,
 *   or `saved: undefined` for a plain model
 * @throws FileFormatError naming `source` when the training metadata is malformed
 */
export function splitCheckpoint(graph: Graph, source = `graph '${graph.name}'`): { model: Graph; saved?: SavedTraining } {
  const model = graph.clone({ shareTensors: true });
  const moments = new Map<string, Tensor>();
  for (const [name, t] of graph.initializers) {
    if (!name.startsWith(OPTIM_PREFIX)) continue;
    moments.set(name, t);
    model.removeInitializer(name);
  }
  const stepText = graph.metadata.get(CHECKPOINT_KEYS.step);
  const configText = graph.metadata.get(CHECKPOINT_KEYS.config);
  for (const key of [...model.metadata.keys()]) if (key.startsWith(TRAIN_METADATA_PREFIX)) model.metadata.delete(key);
  if (stepText === undefined && configText === undefined) return { model };
  const step = Number(stepText);
  if (!Number.isInteger(step) || step < 0) throw new FileFormatError(source, `checkpoint step '${stepText}' (metadata ${CHECKPOINT_KEYS.step}) is not a non-negative integer`);
  let config: StoredTrainConfig;
  try {
    config = JSON.parse(configText ?? '') as StoredTrainConfig;
  } catch (e) {
    throw new FileFormatError(source, `checkpoint config (metadata ${CHECKPOINT_KEYS.config}) is not JSON: ${(e as Error).message}`, { cause: e });
  }
  if (config?.version !== 1 || !Array.isArray(config.params) || typeof config.loss !== 'string' || typeof config.optimizer?.type !== 'string') {
    throw new FileFormatError(source, `checkpoint config (metadata ${CHECKPOINT_KEYS.config}) is not a version 1 training config`);
  }
  return { model, saved: { step, config, moments } };
}
