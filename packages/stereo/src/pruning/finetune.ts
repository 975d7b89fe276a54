/**
 * Fine-tuning a pruned candidate between steps: distillation from the teacher (the unpruned model
 * by default) on the fine-tuning data, through the distillation pipeline (`distillStereo`), which
 * trains a student graph of any channel widths and returns its inference graph. Each step
 * fine-tunes in its own folder; all steps share one teacher cache, since the teacher and the data
 * do not change between steps.
 */
import { promises as fsp } from 'node:fs';
import type { Graph } from '@stereo-sdk/core';
import { distillStereo } from '../distill/train.js';

/** Options of {@link finetuneCandidate}. */
export interface FinetuneOptions {
  teacher: string | Graph;
  data: string;
  /** Optimizer steps; 0 returns the candidate as it is. */
  steps: number;
  batch: number;
  crop: { height: number; width: number };
  /** Peak learning rate; null = the distillation's default. */
  lr: number | null;
  seed: number;
  threads: number;
  /** Folder of this step's distillation run (removed first: a step interrupted mid-way starts over). */
  runDir: string;
  /** Teacher output cache shared by the steps. */
  cacheDir: string;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number, loss?: number) => void;
}

/** The fine-tuned inference graph, the steps run and the last loss; no graph when `signal` stopped it. */
export interface FinetuneResult {
  graph?: Graph;
  steps: number;
  loss?: number;
}

/**
 * Fine-tunes a pruned candidate with distillation (teacher-only terms, no validation: the prune
 * loop scores every step itself).
 * @param candidate - the cut inference graph (not modified).
 * @param o - teacher, data, steps, batch, crop, lr, seed, threads, run and cache folders, signal, onProgress.
 * @throws what `distillStereo` throws (bad data spec, teacher the data cannot be run through, divergence).
 */
export async function finetuneCandidate(candidate: Graph, o: FinetuneOptions): Promise<FinetuneResult> {
  if (o.steps === 0) return { graph: candidate, steps: 0 };
  await fsp.rm(o.runDir, { recursive: true, force: true });
  let loss: number | undefined;
  const r = await distillStereo({
    init: candidate,
    teacher: o.teacher,
    data: o.data,
    val: null,
    runDir: o.runDir,
    cacheDir: o.cacheDir,
    steps: o.steps,
    batch: o.batch,
    crop: o.crop,
    ...(o.lr !== null ? { lr: o.lr } : {}),
    seed: o.seed,
    threads: o.threads,
    ...(o.signal ? { signal: o.signal } : {}),
    onEvent: (e) => {
      if (e.type !== 'step') return;
      loss = e.loss;
      o.onProgress?.(e.step, e.totalSteps, e.loss);
    },
  });
  if (r.stopped || !r.graph) return { steps: r.step, ...(loss !== undefined ? { loss } : {}) };
  return { graph: r.graph, steps: r.step, ...(loss !== undefined ? { loss } : {}) };
}
