/**
 * The prune run folder, written so that a killed run loses at most the step in progress:
 * - `prune.json`: the resolved run config (written once);
 * - `step-000.onnx`, `step-001.onnx`, ...: the model after each step (step 0 = the input model);
 * - `state.json`: the records of the completed steps, rewritten after each step's model is on disk;
 * - `lut.json`: the latency table the run plans with, when it has one.
 * Every write is atomic (temp + rename), and the state names a step only once its model exists.
 */
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { FileFormatError, FileNotFoundError, writeFileAtomic, type ImportanceCriterion } from '@stereo-sdk/core';
import type { PruneStepRecord, PruneStopReason, TargetResolution } from './types.js';

/** File names inside a prune run folder. */
export const PRUNE_RUN_FILES = Object.freeze({ config: 'prune.json', state: 'state.json', lut: 'lut.json' });

/** Version of `prune.json` and `state.json`. */
const VERSION = 1;

/** The run's settings as stored: everything a resumed session needs to continue identically. */
export interface PruneRunConfig {
  /** Input model path (absolute), or a label for an in-memory graph (then step-000.onnx is the source). */
  model: string;
  /** Teacher path, or null for the unpruned model (step-000.onnx). */
  teacher: string | null;
  data: string;
  val: string | null;
  valLimit: number | null;
  out: string;
  targetMs: number | null;
  resolution: TargetResolution;
  steps: number;
  /** Fixed per-step ratio, or null when the latency planner chooses it. */
  stepRatio: number | null;
  maxStepRatio: number;
  criterion: ImportanceCriterion;
  scope: 'local' | 'global';
  multiple: number;
  /** Whether the run plans with `lut.json`. */
  lut: boolean;
  finetuneSteps: number;
  batch: number;
  crop: { height: number; width: number };
  lr: number | null;
  gradientBatches: number;
  runs: number;
  warmup: number;
  seed: number;
}

/** What the run has done so far. */
export interface PruneRunState {
  steps: PruneStepRecord[];
  /** Set when the loop ended (target met, max steps, nothing left to prune). */
  finished?: { reason: Exclude<PruneStopReason, 'stopped'>; met: boolean };
}

/** Paths of a run folder's files. */
export function pruneRunFiles(dir: string): { config: string; state: string; lut: string; step: (k: number) => string } {
  const at = (f: string) => path.join(dir, f);
  return { config: at(PRUNE_RUN_FILES.config), state: at(PRUNE_RUN_FILES.state), lut: at(PRUNE_RUN_FILES.lut), step: (k) => at(stepModelName(k)) };
}

/** `step-003.onnx`: the model file of step k, relative to the run folder. */
export function stepModelName(k: number): string {
  return `step-${String(k).padStart(3, '0')}.onnx`;
}

const exists = (p: string): Promise<boolean> => fsp.access(p).then(() => true, () => false);

/** True when the folder already holds a prune run. */
export function holdsPruneRun(dir: string): Promise<boolean> {
  return exists(pruneRunFiles(dir).config);
}

async function readJson(file: string, what: string, hint: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await fsp.readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new FileNotFoundError(file, what, hint);
    throw new FileFormatError(file, `cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, { cause: e });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new FileFormatError(file, `not JSON (${(e as Error).message})`, { cause: e });
  }
  if (typeof parsed !== 'object' || parsed === null || (parsed as { version?: unknown }).version !== VERSION) {
    throw new FileFormatError(file, `not a version ${VERSION} ${what}`);
  }
  return parsed as Record<string, unknown>;
}

/** Writes `prune.json` atomically. */
export async function writePruneConfig(dir: string, config: PruneRunConfig): Promise<void> {
  await writeFileAtomic(pruneRunFiles(dir).config, `${JSON.stringify({ version: VERSION, ...config }, null, 2)}\n`);
}

/**
 * Reads `prune.json`.
 * @throws FileNotFoundError when the folder holds no prune run; FileFormatError when it is malformed.
 */
export async function readPruneConfig(dir: string): Promise<PruneRunConfig> {
  const file = pruneRunFiles(dir).config;
  const { version: _v, ...config } = await readJson(file, 'prune run config', 'Nothing to resume in this folder: start without --resume, or point --run-dir at the folder of the run to continue.');
  const c = config as Partial<PruneRunConfig>;
  if (typeof c.data !== 'string' || typeof c.out !== 'string' || !Number.isInteger(c.steps) || typeof c.criterion !== 'string' || !c.resolution) {
    throw new FileFormatError(file, 'prune run config lacks data, out, steps, criterion or resolution');
  }
  return config as unknown as PruneRunConfig;
}

/** Writes `state.json` atomically; call only after every model it names is on disk. */
export async function writePruneState(dir: string, state: PruneRunState): Promise<void> {
  await writeFileAtomic(pruneRunFiles(dir).state, `${JSON.stringify({ version: VERSION, ...state }, null, 2)}\n`);
}

/**
 * Reads `state.json`; a run killed before its first record has none, which reads as no steps.
 * @throws FileFormatError when it is malformed, or names a step whose model is missing.
 */
export async function readPruneState(dir: string): Promise<PruneRunState> {
  const files = pruneRunFiles(dir);
  if (!(await exists(files.state))) return { steps: [] };
  const { version: _v, ...state } = await readJson(files.state, 'prune run state', '');
  const s = state as Partial<PruneRunState>;
  if (!Array.isArray(s.steps) || s.steps.some((r, i) => r?.step !== i || typeof r.model !== 'string')) {
    throw new FileFormatError(files.state, 'steps must be records numbered 0, 1, 2, ... with their model file');
  }
  for (const r of s.steps) {
    if (!(await exists(path.join(dir, r.model)))) throw new FileFormatError(files.state, `step ${r.step}'s model ${r.model} is missing from the run folder`);
  }
  return state as unknown as PruneRunState;
}
