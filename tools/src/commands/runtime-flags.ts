/**
 * Flag parsing and matcher set-up shared by the runtime commands (`disparity`, `eval`, `bench`,
 * `info`). Every error names the flag, as `Expected <what> for --flag but received <value>`.
 */
import path from 'node:path';
import { InvalidParameterError, is, StereoSdkError } from '@stereo-sdk/core';
import type { ProviderName, StereoMatcher } from '@stereo-sdk/edge-runtime';
import type { ProgramIO } from '../program.js';

/** Options every command that runs a model takes. */
export interface RuntimeFlags {
  model?: string;
  providers?: string;
  threads?: string;
}

/** Parses a decimal integer flag in [lo, hi]. */
export function parseIntegerFlag(flag: string, raw: string, lo: number, hi: number): number {
  const value = /^\s*\d+\s*$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(value) || value < lo || value > hi) throw is.invalidParameterError(flag, `an integer in [${lo}, ${hi}]`, raw);
  return value;
}

/** Parses a finite number flag in [lo, hi]. */
export function parseNumberFlag(flag: string, raw: string, lo: number, hi: number): number {
  const value = /^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isFinite(value) || value < lo || value > hi) throw is.invalidParameterError(flag, `a number in [${lo}, ${hi}]`, raw);
  return value;
}

/** A benchmark resolution: a named preset or WIDTHxHEIGHT. */
export interface Resolution {
  width: number;
  height: number;
  /** `kitti`, `sceneflow`, or the WxH text as given. */
  name: string;
}

/**
 * Parses `kitti`, `sceneflow` or `WIDTHxHEIGHT` (e.g. `1242x375`: 1242 columns, 375 rows).
 * @throws InvalidParameterError naming `flag` for anything else.
 */
export async function parseResolution(flag: string, raw: string): Promise<Resolution> {
  const { BENCHMARK_PRESETS } = await import('@stereo-sdk/edge-runtime');
  const key = raw.trim().toLowerCase();
  if (key === 'kitti' || key === 'sceneflow') return { ...BENCHMARK_PRESETS[key], name: key };
  const m = /^(\d+)[xX×](\d+)$/.exec(key);
  const expected = `kitti (1242x375), sceneflow (960x540) or WIDTHxHEIGHT such as 640x480`;
  if (!m) throw is.invalidParameterError(flag, expected, raw);
  const width = Number(m[1]);
  const height = Number(m[2]);
  if (width < 8 || height < 8 || width > 16384 || height > 16384) throw is.invalidParameterError(flag, `${expected}, each side in [8, 16384]`, raw);
  return { width, height, name: `${width}x${height}` };
}

/**
 * Parses `--providers cpu` / `--providers tensorrt,cuda,cpu` (tried in that order).
 * @throws InvalidParameterError for an empty list or an unknown name.
 */
export async function parseProviders(raw: string | undefined): Promise<ProviderName[] | undefined> {
  if (raw === undefined) return undefined;
  const { PROVIDER_NAMES } = await import('@stereo-sdk/edge-runtime');
  const names = raw.split(',').map((s) => s.trim().toLowerCase()).filter((s) => s.length > 0);
  if (names.length === 0) throw is.invalidParameterError('--providers', `a comma-separated list of ${PROVIDER_NAMES.join(', ')}`, raw);
  for (const n of names) {
    if (!(PROVIDER_NAMES as readonly string[]).includes(n)) {
      throw is.invalidParameterError('--providers', `a comma-separated list of ${PROVIDER_NAMES.join(', ')}`, n);
    }
  }
  return names as ProviderName[];
}

/** A loaded matcher and the settings it was created with. */
export interface OpenedMatcher {
  matcher: StereoMatcher;
  /** Providers asked for, in order. */
  requested: ProviderName[];
  /** Intra-op threads asked for; 0 = onnxruntime's default. */
  threads: number;
  /** How reports name the model: the --model path as given, or {@link bundledModelLabel} of the bundled one used. */
  label: string;
}

/**
 * How reports name a bundled model, from its path.
 * @example bundledModelLabel('/x/models/student.onnx') // 'bundled student (@stereo-sdk/edge-runtime/models/student.onnx)'
 */
export function bundledModelLabel(modelPath: string): string {
  const file = path.basename(modelPath);
  return `bundled ${path.basename(file, '.onnx')} (@stereo-sdk/edge-runtime/models/${file})`;
}

/**
 * Loads the model on the requested providers: --model, or without it the bundled model the runtime
 * picks for `frameSize` (`defaultModelFor`: the general student when no size is given). A provider
 * failure becomes one line listing each provider's reason (the runtime's own error is multi-line,
 * which a CLI `error:` line is not).
 * @param frameSize - size of the frames the command will run, to pick a bundled model; ignored with --model.
 * @throws the runtime's typed errors for a missing or malformed model.
 */
export async function openMatcher(flags: RuntimeFlags, frameSize?: { width: number; height: number }): Promise<OpenedMatcher> {
  const providers = await parseProviders(flags.providers);
  const threads = flags.threads === undefined ? 0 : parseIntegerFlag('--threads', flags.threads, 1, 1024);
  const { createStereoMatcher, defaultModelFor, ProviderUnavailableError } = await import('@stereo-sdk/edge-runtime');
  const model = flags.model ?? defaultModelFor(frameSize?.width, frameSize?.height);
  try {
    const matcher = await createStereoMatcher(model, { providers, ...(threads > 0 ? { intraOpNumThreads: threads } : {}) });
    return { matcher, requested: providers ?? ['cpu'], threads, label: flags.model ?? bundledModelLabel(model) };
  } catch (err) {
    if (flags.model === undefined && (err as { code?: string }).code === 'ERR_FILE_NOT_FOUND') {
      throw new StereoSdkError('ERR_FILE_NOT_FOUND', `${model}: bundled default model not found (this build ships none yet); pass a model with --model model.onnx`);
    }
    if (err instanceof ProviderUnavailableError) {
      const list = err.failures.map((f) => `${f.provider}: ${f.reason}`).join('; ');
      throw new StereoSdkError('ERR_PROVIDER_UNAVAILABLE', `no execution provider could start (${list}); add cpu to --providers to fall back to the CPU`);
    }
    throw err;
  }
}

/** One line saying which provider runs, and that the first choice did not start when it fell back. */
export function providerLine(o: OpenedMatcher): string {
  const threads = o.threads > 0 ? `${o.threads} thread${o.threads > 1 ? 's' : ''}` : 'default threads';
  const fallback = o.matcher.provider !== o.requested[0] ? ` (${o.requested.slice(0, o.requested.indexOf(o.matcher.provider)).join(', ')} did not start)` : '';
  return `${o.matcher.provider}${fallback}, ${threads}`;
}

/** Progress goes to stderr: a bar on a terminal, otherwise plain lines through `io.err` (so tests capture them). */
export function progressStream(io: ProgramIO): NodeJS.WriteStream {
  if (process.stderr.isTTY) return process.stderr;
  return { isTTY: false, write: (s: string) => (io.err(s), true) } as unknown as NodeJS.WriteStream;
}

/** Runs an output write and turns a file-system failure into a one-line typed error naming the file. */
export async function writeOutput(path: string, what: string, write: () => Promise<void>): Promise<void> {
  try {
    await write();
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (typeof e.code === 'string' && !e.code.startsWith('ERR_')) {
      throw new StereoSdkError('ERR_OUTPUT', `${path}: cannot write ${what} (${e.code}: ${e.message.split('\n')[0]})`, { cause: err });
    }
    throw err;
  }
}

/** Thrown for a command line that is well-formed flag by flag but asks for nothing, or for contradicting things. */
export function usageError(message: string): InvalidParameterError {
  return new InvalidParameterError(message);
}
