/**
 * The training loop shared by supervised training and distillation: steps from a batch function,
 * a log line per step and per validation (appended to `log.jsonl`), validation every `valEvery`
 * steps with the best weights kept in `best.onnx`, atomic checkpoints every `ckptEvery` steps and
 * after each validation, a stop on a signal or at the time budget, and the export of the selected
 * weights at the end. What differs between runs (the batches, the step's log line, the export) comes
 * in through the context.
 */
import { constants as fsConstants, promises as fsp } from 'node:fs';
import { readOnnx, StereoSdkError, type Feeds, type Graph, type StepResult, type Trainer } from '@stereo-sdk/core';
import { openLog, rewindLog, writeBest, writeRunCheckpoint, type RunState } from './run-dir.js';
import type { RunEvent, SelectionMetric, StepLogLine, ValidationResult, ValLogLine } from './types.js';
import type { Validator } from './validate.js';

export const exists = (p: string): Promise<boolean> => fsp.access(p).then(() => true, () => false);

/** Fails before hours of training rather than at the export: creates `dir` and checks it is writable. */
export async function checkWritable(dir: string, what: string): Promise<void> {
  try {
    await fsp.mkdir(dir, { recursive: true });
    await fsp.access(dir, fsConstants.W_OK);
  } catch (e) {
    throw new StereoSdkError('ERR_OUTPUT', `${dir}: cannot write ${what} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, { cause: e });
  }
}

/** Lower is better; the second key breaks ties; NaN (nothing scored) never wins. */
function improves(v: ValidationResult, best: RunState['best'], by: SelectionMetric): boolean {
  const key = (r: { epe: number; bad2: number }): [number, number] => (by === 'bad2' ? [r.bad2, r.epe] : [r.epe, r.bad2]);
  const [a, b] = key(v);
  if (!Number.isFinite(a)) return false;
  if (!best) return true;
  const [c, d] = key(best);
  return a < c || (a === c && b < d);
}

/** The loop-relevant part of a run config. */
export interface LoopSettings {
  readonly steps: number;
  readonly timeBudget: number | null;
  readonly valEvery: number;
  readonly ckptEvery: number;
  readonly selectBy: SelectionMetric;
}

/** Everything `runLoop` needs. */
export interface LoopContext<L extends StepLogLine> {
  readonly settings: LoopSettings;
  readonly trainer: Trainer;
  readonly files: { readonly checkpoint: string; readonly best: string; readonly log: string };
  readonly runDir: string;
  readonly state: RunState;
  /** `performance.now()` when the session started. */
  readonly started: number;
  /** The feeds of step `step` (a pure function of the step, for exact resume). */
  readonly batch: (step: number) => Promise<Feeds>;
  readonly validator?: Validator;
  /** The log line of a finished step. */
  readonly trainLine: (r: StepResult) => L;
  /** Exports the selected weights (a model graph) and says where, if it wrote a file. */
  readonly exportModel: (source: Graph) => Promise<{ graph: Graph; path?: string }>;
  readonly signal?: AbortSignal;
  readonly onEvent?: (event: RunEvent<L>) => void;
  /** A validation of the initial weights already run (by the time-budget probe). */
  readonly initialValidation?: ValidationResult;
}

/** What `runLoop` returns. */
export interface LoopOutcome<L extends StepLogLine> {
  readonly step: number;
  readonly stopped: boolean;
  readonly outOfTime: boolean;
  /** The exported model and the step of its weights (undefined when stopped). */
  readonly exported?: { readonly step: number; readonly graph: Graph; readonly path?: string };
  readonly best?: RunState['best'];
  readonly log: readonly (L | ValLogLine)[];
  readonly seconds: number;
  readonly params: number;
}

/**
 * Runs a training session from the trainer's current step to `settings.steps` (or a stop).
 * @returns the outcome; the log on disk holds exactly `log`
 */
export async function runLoop<L extends StepLogLine>(ctx: LoopContext<L>): Promise<LoopOutcome<L>> {
  const { settings, trainer, files, signal, onEvent, validator } = ctx;
  const total = settings.steps;
  const secondsBefore = ctx.state.seconds;
  const seconds = (): number => secondsBefore + (performance.now() - ctx.started) / 1000;
  let best = ctx.state.best;
  const deadline = settings.timeBudget !== null && trainer.step === 0 ? ctx.started + settings.timeBudget * 1000 : Infinity;
  const log: (L | ValLogLine)[] = await rewindLog<L | ValLogLine>(files.log, trainer.step);
  const writer = await openLog<L | ValLogLine>(files.log);
  const params = trainer.params.reduce((n, p) => n + trainer.trainingGraph.staticShape(p).reduce((a, d) => a * d, 1), 0);
  let lastCheckpoint = -1;
  let lastValidation = log.filter((l) => l.type === 'val').at(-1)?.step ?? -1;

  const append = async (line: L | ValLogLine): Promise<void> => {
    log.push(line);
    await writer.write(line);
  };
  const checkpoint = async (): Promise<void> => {
    await writeRunCheckpoint(files.checkpoint, trainer, { ...(best ? { best } : {}), seconds: seconds() });
    lastCheckpoint = trainer.step;
    onEvent?.({ type: 'checkpoint', step: trainer.step, path: files.checkpoint });
  };
  const validate = async (precomputed?: ValidationResult): Promise<void> => {
    const step = trainer.step;
    const v = precomputed ?? (await validator!.run(trainer.modelGraph()));
    const isBest = improves(v, best, settings.selectBy);
    const line: ValLogLine = { type: 'val', step, epe: v.epe, bad1: v.bad1, bad2: v.bad2, bad3: v.bad3, d1: v.d1, scenes: v.scenes, ms: v.ms, best: isBest };
    if (isBest) {
      await writeBest(files.best, trainer);
      const { type: _t, best: _b, ...scores } = line;
      best = scores;
    }
    lastValidation = step;
    await append(line);
    onEvent?.({ ...line, type: 'validation' });
  };
  const outcome = (extra: { stopped: boolean; outOfTime: boolean; exported?: LoopOutcome<L>['exported'] }): LoopOutcome<L> => ({
    step: trainer.step,
    ...extra,
    ...(best ? { best } : {}),
    log,
    seconds: seconds(),
    params,
  });

  let outOfTime = false;
  try {
    onEvent?.({ type: 'start', step: trainer.step, totalSteps: total, resumed: trainer.step > 0, runDir: ctx.runDir, params });
    if (validator && settings.valEvery > 0 && trainer.step === 0 && lastValidation < 0) await validate(ctx.initialValidation);
    while (trainer.step < total) {
      if (signal?.aborted) {
        if (lastCheckpoint !== trainer.step) await checkpoint();
        onEvent?.({ type: 'end', step: trainer.step, stopped: true });
        return outcome({ stopped: true, outOfTime: false });
      }
      // A time budget always leaves room for one step, however long the set-up took.
      if (performance.now() >= deadline && trainer.step > 0) {
        outOfTime = true;
        break;
      }
      const r = await trainer.trainStep(await ctx.batch(trainer.step));
      const line = ctx.trainLine(r);
      await append(line);
      const { type: _type, ...fields } = line;
      onEvent?.({ ...fields, type: 'step', totalSteps: total } as RunEvent<L>);
      const validated = validator !== undefined && settings.valEvery > 0 && r.step % settings.valEvery === 0;
      if (validated) await validate();
      if (validated || r.step % settings.ckptEvery === 0) await checkpoint();
    }
    if (validator && lastValidation !== trainer.step) await validate();
    if (lastCheckpoint !== trainer.step) await checkpoint();
    // Model selection: the best validation's weights when there is validation, else the last ones.
    const fromBest = best !== undefined && (await exists(files.best));
    const source = fromBest ? await readOnnx(files.best) : trainer.modelGraph();
    const { graph, path } = await ctx.exportModel(source);
    const exportedStep = fromBest ? best!.step : trainer.step;
    onEvent?.({ type: 'export', step: exportedStep, ...(path !== undefined ? { path } : {}) });
    onEvent?.({ type: 'end', step: trainer.step, stopped: false });
    return outcome({ stopped: false, outOfTime, exported: { step: exportedStep, graph, ...(path !== undefined ? { path } : {}) } });
  } finally {
    await writer.close();
  }
}
