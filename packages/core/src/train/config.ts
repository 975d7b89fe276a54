/**
 * Resolving trainer options against the model and, when resuming, the config stored in the
 * checkpoint: options given now win; what they leave out comes from the checkpoint, then defaults.
 */
import { InvalidParameterError } from '../errors.js';
import * as is from '../is.js';
import type { Graph } from '../graph/graph.js';
import type { StoredTrainConfig } from './checkpoint.js';
import { resolveOptimizer } from './optim.js';
import { matchesAny, selectParams } from './params.js';
import { resolveSchedule } from './schedule.js';
import type { TrainerOptions } from './types.js';

/** Validates the option fields that are not resolved elsewhere. */
function checkOptions(o: TrainerOptions): void {
  if (!is.plainObject(o as unknown)) throw is.invalidParameterError('trainer options', 'an object', o);
  if (o.loss !== undefined) is.assertString('loss', o.loss);
  if (o.clipGradNorm !== undefined) is.assertNumber('clipGradNorm', o.clipGradNorm, Number.MIN_VALUE);
  if (o.metrics !== undefined && (!Array.isArray(o.metrics) || !o.metrics.every(is.string))) {
    throw is.invalidParameterError('metrics', 'an array of scalar output names', o.metrics);
  }
  if (o.noWeightDecay !== undefined && (!Array.isArray(o.noWeightDecay) || !o.noWeightDecay.every((p) => is.string(p) || p instanceof RegExp))) {
    throw is.invalidParameterError('noWeightDecay', 'an array of names, prefixes or RegExps', o.noWeightDecay);
  }
  if (o.onEvent !== undefined && typeof o.onEvent !== 'function') throw is.invalidParameterError('onEvent', 'a function', o.onEvent);
}

/**
 * The effective training config.
 * @param model the source graph (model + loss)
 * @param o options given now
 * @param stored config from a checkpoint, if resuming
 * @param step completed steps of that checkpoint
 * @throws InvalidParameterError on bad options, or when resuming with another optimizer type
 */
export function resolveConfig(model: Graph, o: TrainerOptions, stored?: StoredTrainConfig, step = 0): StoredTrainConfig {
  checkOptions(o);
  const optimizer = o.optimizer !== undefined || !stored ? resolveOptimizer(o.optimizer) : stored.optimizer;
  if (stored && step > 0 && stored.optimizer.type !== optimizer.type) {
    throw new InvalidParameterError(
      `The checkpoint was trained with ${stored.optimizer.type} for ${step} steps; resuming with ${optimizer.type} would start from mismatched moments. Export the model and start a new trainer instead.`,
    );
  }
  const schedule = o.schedule !== undefined || !stored ? resolveSchedule(o.schedule) : resolveSchedule(stored.schedule);
  const params =
    o.params !== undefined || o.freeze !== undefined || !stored
      ? selectParams(model, { params: o.params, freeze: o.freeze })
      : selectParams(model, { params: stored.params.filter((p) => model.isInitializer(p)) });
  const noDecay = o.noWeightDecay !== undefined || !stored ? params.filter((p) => matchesAny(p, o.noWeightDecay)) : stored.noDecay.filter((p) => params.includes(p));
  return {
    version: 1,
    loss: o.loss ?? stored?.loss ?? 'loss',
    params,
    noDecay,
    optimizer,
    schedule,
    clipGradNorm: o.clipGradNorm ?? stored?.clipGradNorm ?? null,
    metrics: [...(o.metrics ?? stored?.metrics ?? [])],
  };
}
