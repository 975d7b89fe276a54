/**
 * The run folder: what a training run leaves on disk and reads back to resume.
 * - `run.json`: the full training config (written once, atomically);
 * - `checkpoint.onnx`: the last checkpoint (weights, BN statistics, optimizer moments, step) plus
 *   the run's own state (best validation so far, time spent) in its metadata, so one atomic write
 *   keeps both consistent;
 * - `best.onnx`: the model graph of the best validation so far (for model selection);
 * - `log.jsonl`: one JSON object per step and per validation, appended as the run goes.
 */
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { FileFormatError, FileNotFoundError, is, readOnnx, writeFileAtomic, writeOnnx, type Graph, type Trainer } from '@stereo-sdk/core';
import type { StereoTrainingConfig, TrainingLogLine, ValLogLine } from './types.js';

/** File names inside a run folder. */
export const RUN_FILES = Object.freeze({ config: 'run.json', checkpoint: 'checkpoint.onnx', best: 'best.onnx', log: 'log.jsonl' });

/**
 * Checkpoint metadata key of the run state. Under core's `stereo_sdk.train.` prefix, so the trainer
 * strips it from resumed models and exports never carry it.
 */
export const RUN_STATE_KEY = 'stereo_sdk.train.run';

/** Version of `run.json`. */
export const RUN_CONFIG_VERSION = 1;

/** What the run keeps besides the trainer state. */
export interface RunState {
  /** The best validation so far. */
  readonly best?: Omit<ValLogLine, 'type' | 'best'>;
  /** Wall time spent so far, in seconds. */
  readonly seconds: number;
}

/** Paths of a run folder's files. */
export function runFiles(dir: string): { config: string; checkpoint: string; best: string; log: string } {
  const at = (f: string) => path.join(dir, f);
  return { config: at(RUN_FILES.config), checkpoint: at(RUN_FILES.checkpoint), best: at(RUN_FILES.best), log: at(RUN_FILES.log) };
}

const exists = (p: string): Promise<boolean> => fsp.access(p).then(() => true, () => false);

/** True when the folder already holds a run (a config or a checkpoint). */
export async function holdsRun(dir: string): Promise<boolean> {
  const f = runFiles(dir);
  return (await exists(f.config)) || (await exists(f.checkpoint));
}

/** Writes `run.json` atomically. */
export async function writeRunConfig(dir: string, config: object): Promise<void> {
  await writeFileAtomic(runFiles(dir).config, `${JSON.stringify({ version: RUN_CONFIG_VERSION, ...config }, null, 2)}\n`);
}

/**
 * Reads `run.json` of any kind of run.
 * @param dir - the run folder
 * @param valid - whether a parsed object (version already checked) is a config of the expected kind
 * @param what - the kind of run, for messages (`training`, `distillation`)
 * @throws FileNotFoundError when the folder holds no run
 * @throws FileFormatError when the file is not such a run config of this version
 */
export async function readRunConfigFile<T>(dir: string, valid: (parsed: Record<string, unknown>) => boolean, what: string): Promise<T> {
  const file = runFiles(dir).config;
  let text: string;
  try {
    text = await fsp.readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new FileNotFoundError(file, `${what} run config`, 'Nothing to resume in this run folder: start the run without --resume, or point --run-dir at the folder of the run to continue.');
    throw e;
  }
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(text) as Record<string, unknown>;
  } catch (e) {
    throw new FileFormatError(file, `not JSON (${(e as Error).message})`, { cause: e });
  }
  if (!is.plainObject(parsed) || parsed.version !== RUN_CONFIG_VERSION || !valid(parsed)) {
    throw new FileFormatError(file, `not a version ${RUN_CONFIG_VERSION} ${what} run config`);
  }
  const { version: _version, ...config } = parsed;
  return config as T;
}

/**
 * Reads `run.json` of a training run.
 * @param dir - the run folder
 * @throws FileNotFoundError when the folder holds no run
 * @throws FileFormatError when the file is not a run config of this version
 * @example const { steps, seed } = await readRunConfig('student.run');
 */
export async function readRunConfig(dir: string): Promise<StereoTrainingConfig> {
  const config = await readRunConfigFile<StereoTrainingConfig>(dir, (c) => typeof c.arch === 'string' && typeof c.data === 'string' && Number.isInteger(c.steps) && !('teacher' in c), 'training');
  // Runs started before `init` existed have none.
  return { ...config, init: config.init ?? null };
}

/** Writes the trainer's checkpoint with the run state in its metadata (atomically). */
export async function writeRunCheckpoint(file: string, trainer: Trainer, state: RunState): Promise<void> {
  const g = trainer.checkpointGraph();
  g.metadata.set(RUN_STATE_KEY, JSON.stringify(state));
  await writeOnnx(file, g);
}

/**
 * Reads a checkpoint and its run state.
 * @throws FileNotFoundError / FileFormatError when the file is missing or malformed
 */
export async function readRunCheckpoint(file: string): Promise<{ graph: Graph; state: RunState }> {
  const graph = await readOnnx(file);
  const raw = graph.metadata.get(RUN_STATE_KEY);
  let state: RunState = { seconds: 0 };
  if (raw !== undefined) {
    try {
      state = JSON.parse(raw) as RunState;
    } catch (e) {
      throw new FileFormatError(file, `run state (metadata ${RUN_STATE_KEY}) is not JSON`, { cause: e });
    }
  }
  return { graph, state };
}

/**
 * Reads the log of a run up to `step` (lines after it belong to steps the checkpoint does not
 * hold) and rewrites the file to exactly those lines, so the resumed run appends after them. A
 * line torn by a kill is dropped.
 * @returns the kept lines
 */
export async function rewindLog<L extends { readonly step: number } = TrainingLogLine>(file: string, step: number): Promise<L[]> {
  let text = '';
  try {
    text = await fsp.readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  const kept: L[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    let parsed: L;
    try {
      parsed = JSON.parse(line) as L;
    } catch {
      continue;
    }
    if (typeof parsed.step === 'number' && parsed.step <= step) kept.push(parsed);
  }
  await writeFileAtomic(file, kept.map((l) => `${JSON.stringify(l)}\n`).join(''));
  return kept;
}

/** An append-only JSON-lines writer (a log grows line by line, so a crash keeps the lines so far). */
export interface LogWriter<L = TrainingLogLine> {
  write(line: L): Promise<void>;
  close(): Promise<void>;
}

/** Opens `file` for appending (creating its folder). */
export async function openLog<L = TrainingLogLine>(file: string): Promise<LogWriter<L>> {
  await fsp.mkdir(path.dirname(file), { recursive: true });
  const handle = await fsp.open(file, 'a');
  return {
    write: async (line) => {
      await handle.write(`${JSON.stringify(line)}\n`);
    },
    close: () => handle.close(),
  };
}

/** Writes the model graph of the current weights as the best checkpoint (atomically). */
export async function writeBest(file: string, trainer: Trainer): Promise<void> {
  await writeOnnx(file, trainer.modelGraph());
}
