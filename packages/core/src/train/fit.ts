/**
 * The training loop around `trainStep`: pulls batches, emits progress events, appends metrics as
 * JSON lines, writes periodic checkpoints, and on divergence stops with the last good checkpoint
 * left untouched.
 */
import { promises as fsp } from 'node:fs';
import { dirname } from 'node:path';
import * as is from '../is.js';
import { TrainingDivergedError } from './errors.js';
import type { Trainer } from './trainer.js';
import type { Feeds, StepResult } from './types.js';

/** Where batches come from: a function of the 0-based step index, or an (async) iterable. */
export type BatchSource = ((step: number) => Feeds | Promise<Feeds>) | Iterable<Feeds> | AsyncIterable<Feeds>;

/** Options of `Trainer.fit`. */
export interface FitOptions {
  /** Steps to run now, >= 1 (counted from the trainer's current step). */
  steps: number;
  /** The batches. A function receives the trainer's step count before each step. */
  data: BatchSource;
  /** Checkpoint path, written every `checkpointEvery` steps and at the end. */
  checkpoint?: string;
  /** Default 0: only at the end. */
  checkpointEvery?: number;
  /** Append one JSON object per step (`{step, loss, lr, gradNorm, ms, ...metrics}`) to this file. */
  metricsFile?: string;
  /** Stops after the current step (a checkpoint is still written). */
  signal?: AbortSignal;
}

/** What `fit` did. */
export interface FitResult {
  /** Steps run by this call. */
  readonly steps: number;
  /** The last step's result, if any step ran. */
  readonly last?: StepResult;
  /** True when `signal` stopped it early or the data ran out. */
  readonly stopped: boolean;
}

const exists = (path: string): Promise<boolean> => fsp.access(path).then(() => true, () => false);

function batches(data: BatchSource, trainer: Trainer): () => Promise<Feeds | undefined> {
  if (typeof data === 'function') return async () => data(trainer.step);
  const source = data as Partial<AsyncIterable<Feeds> & Iterable<Feeds>>;
  const it = source[Symbol.asyncIterator]?.() ?? source[Symbol.iterator]?.();
  if (!it) throw is.invalidParameterError('data', 'a function of the step, an iterable or an async iterable of batches', data);
  return async () => {
    const r = await it.next();
    return r.done ? undefined : r.value;
  };
}

/**
 * Runs `opts.steps` training steps. See `Trainer.fit`.
 * @throws TrainingDivergedError carrying the last good checkpoint path
 */
export async function runFit(trainer: Trainer, opts: FitOptions): Promise<FitResult> {
  if (!is.plainObject(opts as unknown)) throw is.invalidParameterError('fit options', 'an object', opts);
  is.assertInteger('steps', opts.steps, 1);
  const every = opts.checkpointEvery ?? 0;
  is.assertInteger('checkpointEvery', every, 0);
  if (opts.checkpoint !== undefined) is.assertString('checkpoint', opts.checkpoint);
  if (opts.metricsFile !== undefined) is.assertString('metricsFile', opts.metricsFile);
  const next = batches(opts.data, trainer);
  // A log grows line by line (a crash keeps the lines so far), so it is appended, not rewritten.
  let log: fsp.FileHandle | undefined;
  if (opts.metricsFile) {
    await fsp.mkdir(dirname(opts.metricsFile), { recursive: true });
    log = await fsp.open(opts.metricsFile, 'a');
  }
  // A checkpoint already on disk is good by construction: nothing non-finite is ever written.
  let lastCheckpoint = opts.checkpoint && (await exists(opts.checkpoint)) ? opts.checkpoint : undefined;
  const checkpoint = async (): Promise<void> => {
    if (!opts.checkpoint) return;
    await trainer.saveCheckpoint(opts.checkpoint);
    lastCheckpoint = opts.checkpoint;
    trainer.emit({ type: 'checkpoint', step: trainer.step, path: opts.checkpoint });
  };
  const start = trainer.step;
  let last: StepResult | undefined;
  let stopped = false;
  trainer.emit({ type: 'start', step: start, totalSteps: start + opts.steps });
  try {
    while (trainer.step < start + opts.steps) {
      if (opts.signal?.aborted) {
        stopped = true;
        break;
      }
      const feeds = await next();
      if (!feeds) {
        stopped = true;
        break;
      }
      try {
        last = await trainer.trainStep(feeds);
      } catch (e) {
        if (!(e instanceof TrainingDivergedError)) throw e;
        trainer.emit({ type: 'diverged', step: e.step, loss: e.loss, gradNorm: e.gradNorm, ...(lastCheckpoint ? { checkpoint: lastCheckpoint } : {}) });
        throw new TrainingDivergedError(e.step, e.loss, e.gradNorm, lastCheckpoint);
      }
      if (log) await log.write(`${JSON.stringify({ step: last.step, loss: last.loss, lr: last.lr, gradNorm: last.gradNorm, ms: last.ms, ...last.metrics })}\n`);
      if (every > 0 && (trainer.step - start) % every === 0 && trainer.step < start + opts.steps) await checkpoint();
    }
    await checkpoint();
  } finally {
    await log?.close();
  }
  trainer.emit({ type: 'end', step: trainer.step });
  return { steps: trainer.step - start, ...(last ? { last } : {}), stopped };
}
