/**
 * A session of a resumable run, shared by `trainStereo` and `distillStereo`: the session options
 * (run folder, resume, threads, signal, events), the run folder and its config (stored when
 * resuming, resolved from the options when starting), the last checkpoint, the trainer, the
 * writing of a new run's folder, the loop, and the result fields both runs return. What differs
 * between the kinds of run (how their config is read, checked and resolved, and the messages)
 * comes in a `RunKind`.
 */
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { createTrainer, InvalidParameterError, is, writeFileAtomic, type Graph, type Trainer } from '@stereo-sdk/core';
import type { StereoTrainingOptions } from './config.js';
import { checkWritable, exists, runLoop, type LoopContext, type LoopOutcome, type LoopSettings } from './loop.js';
import { holdsRun, readRunCheckpoint, runFiles, writeRunConfig, type RunState } from './run-dir.js';
import { calibrateTimeBudget, type BudgetConfig, type BudgetProbe } from './setup.js';
import type { RunEvent, StepLogLine, ValidationResult } from './types.js';

/** The knobs of one session that are not part of the stored run config (`TrainingRunOptions`, `DistillRunOptions`). */
export interface SessionOptions<L extends StepLogLine> {
  /** Run folder (config, checkpoints, log; a distillation's teacher cache); default `<out without .onnx>.run` next to the output. */
  runDir?: string;
  /** Continue the run in `runDir` from its last checkpoint; default false. */
  resume?: boolean;
  /** onnxruntime intra-op threads (a distillation's teacher's too), [0, 64]; default 0 = one per core. */
  threads?: number;
  /** Stops after the current step; a checkpoint is written, nothing is exported. */
  signal?: AbortSignal;
  /** Progress events (steps, validations, checkpoints, export). */
  onEvent?: (event: RunEvent<L>) => void;
}

/**
 * The default run folder of an output model: `model.onnx` → `model.run`.
 * @example defaultRunDir('out/student.onnx') // 'out/student.run'
 */
export function defaultRunDir(out: string): string {
  is.assertString('out', out);
  return `${out.replace(/\.onnx$/i, '')}.run`;
}

/**
 * The absolute run folder of a `trainStereo` or `distillStereo` session, and its files: `runDir`
 * when given, else the default next to `out`.
 * @param missing - the message when neither is given and the session starts a new run
 * @throws InvalidParameterError when neither `runDir` nor `out` is given
 */
export function sessionRunFolder(runDir: string | undefined, out: string | undefined, resume: boolean, missing: string): { runDir: string; files: ReturnType<typeof runFiles> } {
  const base = runDir ?? (out !== undefined ? defaultRunDir(out) : undefined);
  if (base === undefined) throw new InvalidParameterError(resume ? 'Resuming needs the run folder (runDir / --run-dir) or the output it was started with (out)' : missing);
  const resolved = path.resolve(base);
  return { runDir: resolved, files: runFiles(resolved) };
}

/**
 * Checks the session options shared by `trainStereo` and `distillStereo`.
 * @throws InvalidParameterError naming the first bad option
 */
export function checkSessionOptions(o: { resume?: unknown; threads?: unknown; signal?: unknown; onEvent?: unknown; runDir?: unknown }): void {
  if (o.resume !== undefined) is.assertBoolean('resume', o.resume);
  if (o.threads !== undefined) is.assertInteger('threads', o.threads, 0, 64);
  if (o.signal !== undefined && !(o.signal instanceof AbortSignal)) throw is.invalidParameterError('signal', 'an AbortSignal', o.signal);
  if (o.onEvent !== undefined && typeof o.onEvent !== 'function') throw is.invalidParameterError('onEvent', 'a function', o.onEvent);
  if (o.runDir !== undefined) is.assertString('runDir', o.runDir);
}

/** How one kind of run (training, distillation) reads, checks and resolves its config, and its messages. */
export interface RunKind<C, O> {
  /** What the options are called when they are not an object (`training options`). */
  readonly optionsName: string;
  /** The message when a new run is given neither `out` nor `runDir`. */
  readonly missingOut: string;
  /** The message when a new run's folder already holds a run. */
  readonly occupied: (runDir: string) => string;
  /** Reads the stored config of the run folder. */
  readonly readConfig: (runDir: string) => Promise<C>;
  /** Checks the options given to a resumed run against its stored config. */
  readonly checkResume: (stored: C, given: O) => void;
  /** Validates the options of a new run and fills their defaults. */
  readonly resolveConfig: (given: O, runDirGiven: boolean) => C;
}

/** An opened session: its run folder, its knobs, and the config and checkpoint it starts from. */
export interface Session<C, O, L extends StepLogLine> {
  /** `performance.now()` when the session started. */
  readonly started: number;
  readonly runDir: string;
  readonly files: ReturnType<typeof runFiles>;
  readonly resume: boolean;
  readonly threads: number;
  readonly signal?: AbortSignal;
  readonly onEvent?: (event: RunEvent<L>) => void;
  /** The run options, without the session's own. */
  readonly given: O;
  /** The stored config (with `out` replaced when given again) when resuming, else the resolved options. */
  readonly config: C;
  /** The last checkpoint of a resumed run that has one. */
  readonly saved?: { readonly graph: Graph; readonly state: RunState };
}

/**
 * Opens a session: checks the options, finds the run folder, reads and checks the stored config
 * (resuming) or resolves the options into a new one, reads the last checkpoint, and checks that
 * the output folder can be written.
 * @throws InvalidParameterError for bad options, options a resumed run must not change, or a new
 *   run in a folder that already holds one
 * @throws FileNotFoundError when resuming a folder without a run
 * @throws StereoSdkError (ERR_OUTPUT) when the output folder cannot be written
 */
export async function openSession<C extends { readonly out: string | null }, O extends { readonly out?: string }, L extends StepLogLine>(
  options: O & SessionOptions<L>,
  kind: RunKind<C, O>,
): Promise<Session<C, O, L>> {
  const started = performance.now();
  if (!is.plainObject(options as unknown)) throw is.invalidParameterError(kind.optionsName, 'an object', options);
  checkSessionOptions(options);
  const { runDir: runDirOption, resume = false, threads = 0, signal, onEvent, ...rest } = options;
  // What is left once the session's own knobs are taken out is the run's options.
  const given = rest as unknown as O;
  const { runDir, files } = sessionRunFolder(runDirOption, given.out, resume, kind.missingOut);

  let config: C;
  let saved: Session<C, O, L>['saved'];
  if (resume) {
    config = await kind.readConfig(runDir);
    kind.checkResume(config, given);
    if (given.out !== undefined) config = { ...config, out: given.out };
    if (await exists(files.checkpoint)) saved = await readRunCheckpoint(files.checkpoint);
  } else {
    config = kind.resolveConfig(given, runDirOption !== undefined);
    if (await holdsRun(runDir)) throw new InvalidParameterError(kind.occupied(runDir));
  }
  if (config.out !== null) await checkWritable(path.dirname(path.resolve(config.out)), `the output folder of ${config.out}`);
  return { started, runDir, files, resume, threads, ...(signal ? { signal } : {}), ...(onEvent ? { onEvent } : {}), given, config, ...(saved ? { saved } : {}) };
}

/**
 * The trainer of a session: from the checkpoint of a resumed run that has one, else on the loss
 * graph. A new run with a time budget first turns it into a step count (`calibrateTimeBudget`),
 * reports that, and keeps the validation of the initial weights the probe ran.
 * @param lossGraph - builds the loss graph (called only when there is no checkpoint)
 * @returns the trainer, the config (with the measured step count), and that validation
 */
export async function startTrainer<C extends BudgetConfig & { readonly timeBudget: number | null }, L extends StepLogLine>(
  session: Session<unknown, Pick<StereoTrainingOptions, 'valEvery' | 'warmup'>, L>,
  config: C,
  lossGraph: () => Graph,
  probe: Omit<BudgetProbe<C>, 'config'>,
): Promise<{ trainer: Trainer; config: C; initialValidation?: ValidationResult }> {
  const { saved, threads, started, onEvent } = session;
  if (saved) return { trainer: await createTrainer(saved.graph, { threads }), config };
  const graph = lossGraph();
  let initialValidation: ValidationResult | undefined;
  if (!session.resume && config.timeBudget !== null) {
    const calibration = await calibrateTimeBudget(graph, { ...probe, config }, started + config.timeBudget * 1000, session.given);
    config = calibration.config;
    initialValidation = calibration.initialValidation;
    onEvent?.({ type: 'calibrated', stepMs: calibration.stepMs, totalSteps: config.steps });
  }
  return { trainer: await createTrainer(graph, probe.trainerOptions(config)), config, ...(initialValidation ? { initialValidation } : {}) };
}

/** What a kind of run brings to the loop of its session: its final config, the started trainer, its batches, validator and log lines, and its export. */
export type SessionLoop<C extends LoopSettings, L extends StepLogLine> = Pick<LoopContext<L>, 'trainer' | 'batch' | 'validator' | 'trainLine' | 'exportModel' | 'initialValidation'> & { readonly config: C };

/**
 * Runs the session's loop: a new run first writes its folder (`run.json` with the run's final
 * config, and an empty log), then steps run from the trainer's step to the end or a stop.
 */
export async function runSession<C extends LoopSettings, L extends StepLogLine>(session: Session<unknown, unknown, L>, run: SessionLoop<C, L>): Promise<LoopOutcome<L>> {
  const { runDir, files, signal, onEvent } = session;
  if (!session.resume) {
    await fsp.mkdir(runDir, { recursive: true });
    await writeRunConfig(runDir, run.config);
    // A stray log of an older run in this folder must not be mistaken for this run's.
    await writeFileAtomic(files.log, '');
  }
  return runLoop<L>({
    settings: run.config,
    trainer: run.trainer,
    files,
    runDir,
    state: session.saved?.state ?? { seconds: 0 },
    started: session.started,
    batch: run.batch,
    ...(run.validator ? { validator: run.validator } : {}),
    trainLine: run.trainLine,
    exportModel: run.exportModel,
    ...(signal ? { signal } : {}),
    ...(onEvent ? { onEvent } : {}),
    ...(run.initialValidation ? { initialValidation: run.initialValidation } : {}),
  });
}

/**
 * The result fields every session returns, in this order: what ran, the model (`exported` says how
 * a kind of run reports it, when it exported one), the best validation, the log, time and size.
 */
export function sessionResult<C, L extends StepLogLine, X extends object>(
  session: Pick<Session<C, unknown, L>, 'runDir'>,
  config: C,
  outcome: LoopOutcome<L>,
  exported: (model: NonNullable<LoopOutcome<L>['exported']>) => X,
) {
  return {
    config,
    runDir: session.runDir,
    step: outcome.step,
    stopped: outcome.stopped,
    outOfTime: outcome.outOfTime,
    ...(outcome.exported ? exported(outcome.exported) : {}),
    ...(outcome.best ? { best: outcome.best } : {}),
    log: outcome.log,
    seconds: outcome.seconds,
    params: outcome.params,
  };
}

/** The run folder's files a session result lists (`best` only when a validation kept weights). */
export function sessionFiles(session: Pick<Session<unknown, unknown, StepLogLine>, 'files'>, outcome: Pick<LoopOutcome<StepLogLine>, 'best'>): { checkpoint: string; best?: string; log: string; config: string } {
  const { files } = session;
  return { checkpoint: files.checkpoint, ...(outcome.best ? { best: files.best } : {}), log: files.log, config: files.config };
}
