/**
 * The end-user API: `createStereoMatcher(model)` and `matcher.disparity(left, right)`, a thin
 * orchestration of the pure steps prepare → preprocess → session.run → postprocess
 * (transformers.js pipeline style). Calls on one matcher are queued, so they may be issued
 * concurrently; decoding happens before the queue, so it overlaps with the previous inference.
 */
import { openSession, type BackendSession, type TensorData } from './backend.js';
import { resolveContract, type ContractOrigin } from './contract.js';
import { ShapeMismatchError } from '@stereo-sdk/common';
import { DisposedError, ModelContractError } from './errors.js';
import { defaultModelFor, loadModelSource } from './model.js';
import { readOnnxModelInfo } from './onnx-metadata.js';
import { resolveDisparityOptions, resolveFrameSize, resolveMatcherOptions, type ResolvedDisparityOptions } from './options.js';
import { extractConfidence, extractDisparity, flipRows, leftRightCheck, resizeConfidence } from './postprocess.js';
import { loadImage } from './prepare.js';
import { BufferPool, inputTensors, planRun, writeView, type RunPlan } from './preprocess.js';
import { SerialQueue } from './queue.js';
import { SimdPlanes } from './simd-planes.js';
import type {
  DisparityOptions, DisparityResult, ModelContract, ProviderName, RawImage, StereoImageInput, StereoMatcherOptions,
} from './types.js';

/** A loaded stereo model. Create with {@link createStereoMatcher}; release with `dispose()`. */
export interface StereoMatcher {
  /** The execution provider that actually runs the model (the first of `providers` that started). */
  readonly provider: ProviderName;
  /** How the model is fed and read. */
  readonly contract: ModelContract;
  /** Whether the contract came from the model's metadata or was inferred from its I/O. */
  readonly contractOrigin: ContractOrigin;
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  /** Path of the model, or `<model buffer>`. */
  readonly model: string;
  /**
   * Computes the disparity of a rectified stereo pair.
   * @param left - left view: file path, encoded image, or raw pixels.
   * @param right - right view, same size and channel count as `left`.
   * @param options - maxDisparity, downscale, lrCheck, confidence.
   * @throws ShapeMismatchError when the views differ in size or channels.
   * @throws FileNotFoundError / FileFormatError for a missing, empty, truncated or non-image file.
   * @throws DisposedError after `dispose()`.
   */
  disparity(left: StereoImageInput, right: StereoImageInput, options?: DisparityOptions): Promise<DisparityResult>;
  /** Waits for queued calls, then releases the session. Safe to call twice. */
  dispose(): Promise<void>;
}

const now = (): number => performance.now();

function checkPair(left: RawImage, right: RawImage): void {
  if (left.width !== right.width || left.height !== right.height) {
    throw new ShapeMismatchError(
      `left image is ${left.width}x${left.height} but right image is ${right.width}x${right.height}; a rectified stereo pair has one size`,
    );
  }
  if (left.channels !== right.channels) {
    throw new ShapeMismatchError(`left image has ${left.channels} channel(s) but right image has ${right.channels}; pass both in gray or both in color`);
  }
}

class Matcher implements StereoMatcher {
  private readonly queue = new SerialQueue();
  private readonly pool = new BufferPool();
  /** WebAssembly SIMD kernels for the input tensors (which live in their memory); absent without SIMD. */
  private simd = SimdPlanes.create();
  /** No new calls accepted. */
  private disposed = false;
  /** Session released; calls that were still decoding when it happened must fail. */
  private released = false;
  private disposing?: Promise<void>;
  /** Where confidence comes from: the model's own output (only resized), or its logits (softmax in JS). */
  private readonly confidenceFrom?: { kind: 'output' | 'logits'; name: string };

  constructor(
    private readonly session: BackendSession,
    readonly contract: ModelContract,
    readonly contractOrigin: ContractOrigin,
    readonly model: string,
  ) {
    const { confidence, logits } = contract.outputs;
    if (confidence) this.confidenceFrom = { kind: 'output', name: confidence.name };
    else if (logits) this.confidenceFrom = { kind: 'logits', name: logits.name };
  }

  get provider(): ProviderName {
    return this.session.provider;
  }

  get inputNames(): readonly string[] {
    return this.session.inputNames;
  }

  get outputNames(): readonly string[] {
    return this.session.outputNames;
  }

  async disparity(left: StereoImageInput, right: StereoImageInput, options?: DisparityOptions): Promise<DisparityResult> {
    if (this.disposed) throw new DisposedError('this StereoMatcher');
    const opts = resolveDisparityOptions(options);
    const t0 = now();
    const [l, r] = await Promise.all([loadImage(left, 'left'), loadImage(right, 'right')]);
    checkPair(l, r);
    const decodeMs = now() - t0;
    return this.queue.run(() => this.run(l, r, opts, decodeMs));
  }

  /** One model run on a (possibly mirrored and swapped) pair: preprocess, inference, postprocess. */
  private async pass(a: RawImage, b: RawImage, plan: RunPlan, mirrored: boolean, opts: ResolvedDisparityOptions, wantConfidence: boolean) {
    const t0 = now();
    const inputs = inputTensors(this.pool, plan, this.contract, this.simd);
    writeView(a, inputs.left, plan, this.contract, mirrored, this.pool, this.simd);
    writeView(b, inputs.right, plan, this.contract, mirrored, this.pool, this.simd);
    const t1 = now();
    const from = wantConfidence ? this.confidenceFrom : undefined;
    const wanted = from ? [this.contract.outputs.disparity, from.name] : [this.contract.outputs.disparity];
    const out: Record<string, TensorData> = await this.session.run(inputs.feeds, wanted);
    const t2 = now();
    const disparity = extractDisparity(out[this.contract.outputs.disparity], plan, opts.maxDisparity, this.contract.outputs.disparity);
    let confidence: Float32Array | undefined;
    if (from?.kind === 'output') confidence = resizeConfidence(out[from.name], plan, from.name);
    else if (from) confidence = extractConfidence(out[from.name], plan, this.pool, from.name);
    return { disparity, confidence, preMs: t1 - t0, infMs: t2 - t1, postMs: now() - t2 };
  }

  private async run(l: RawImage, r: RawImage, opts: ResolvedDisparityOptions, decodeMs: number): Promise<DisparityResult> {
    if (this.released) throw new DisposedError('this StereoMatcher');
    const plan = planRun(l.width, l.height, this.contract, opts.downscale);
    const wantConfidence = opts.confidence && this.confidenceFrom !== undefined;
    const main = await this.pass(l, r, plan, false, opts, wantConfidence);
    const timings = { preprocessMs: decodeMs + main.preMs, inferenceMs: main.infMs, postprocessMs: main.postMs };
    if (opts.lrThreshold !== undefined) {
      // Mirroring a pair and swapping its views turns right-referenced disparity into left-referenced.
      const back = await this.pass(r, l, plan, true, opts, false);
      const t = now();
      flipRows(back.disparity, plan.width, plan.height);
      leftRightCheck(main.disparity, back.disparity, plan.width, plan.height, opts.lrThreshold);
      timings.preprocessMs += back.preMs;
      timings.inferenceMs += back.infMs;
      timings.postprocessMs += back.postMs + (now() - t);
    }
    const result: DisparityResult = { disparity: main.disparity, width: plan.width, height: plan.height, timings };
    if (main.confidence) result.confidence = main.confidence;
    return result;
  }

  dispose(): Promise<void> {
    this.disposing ??= this.release();
    return this.disposing;
  }

  private async release(): Promise<void> {
    this.disposed = true;
    await this.queue.drain();
    this.released = true;
    this.pool.clear();
    this.simd = undefined;
    await this.session.release();
  }
}

/**
 * Loads an ONNX stereo model and starts it on the first execution provider that works.
 * @param model - path to an `.onnx` file or its bytes; default: a bundled model, `models/student.onnx`,
 *   or with `options.frameSize` the one {@link defaultModelFor} picks for that size.
 * @param options - providers (default `['cpu']`, tried in order), thread counts, spinning, deviceId,
 *   TensorRT cache/fp16, frameSize (only to pick a bundled model).
 * @returns a matcher; check `matcher.provider` to see which provider really runs, `matcher.model` which file.
 * @throws FileNotFoundError when the model (or the bundled default) is missing; the message says how to pass one.
 * @throws FileFormatError when the file is not ONNX or onnxruntime cannot load it.
 * @throws ModelContractError when the model is ONNX but not a stereo model this runtime can drive.
 * @throws ProviderUnavailableError when no requested provider starts; it lists why each failed.
 * @throws InvalidParameterError for a malformed option, e.g. a frameSize side that is not a positive integer.
 * @example
 * const matcher = await createStereoMatcher('student.onnx', { providers: ['cuda', 'cpu'] });
 * console.log(matcher.provider); // 'cpu' on a machine without CUDA
 * const { disparity, width, height } = await matcher.disparity('left.png', 'right.png');
 * await matcher.dispose();
 * // The bundled model meant for KITTI-size frames (student-kitti30 when shipped, else student):
 * const kitti = await createStereoMatcher(undefined, { frameSize: { width: 1242, height: 375 } });
 */
export async function createStereoMatcher(model?: string | Uint8Array, options?: StereoMatcherOptions): Promise<StereoMatcher> {
  const settings = resolveMatcherOptions(options);
  const frame = resolveFrameSize(options);
  const bundled = model === undefined && frame ? defaultModelFor(frame.width, frame.height) : undefined;
  const { bytes, source, path } = await loadModelSource(model, bundled);
  const info = readOnnxModelInfo(bytes, source);
  const { contract, origin } = resolveContract(info, source);
  const session = await openSession(path ?? bytes, source, settings);
  const expected = contract.inputs.layout === 'pair' ? [contract.inputs.left, contract.inputs.right] : [contract.inputs.name];
  const absent = expected.filter((n) => !session.inputNames.includes(n));
  if (absent.length > 0) {
    await session.release();
    throw new ModelContractError(source, `onnxruntime does not list input(s) ${absent.join(', ')} (it lists ${session.inputNames.join(', ')})`);
  }
  return new Matcher(session, contract, origin, source);
}

/**
 * One-call form: loads the model, computes one disparity map, releases the model. For more than one
 * pair, create a matcher once instead.
 * @param left - left view: file path, encoded image, or raw pixels.
 * @param right - right view.
 * @param options - per-call options plus matcher options and `model` (default: the bundled model
 *   {@link defaultModelFor} picks for this pair's size, so KITTI-size frames get `student-kitti30`
 *   when the build ships it; `frameSize` is taken from the pair and may not be given).
 * @throws everything {@link createStereoMatcher} and `matcher.disparity()` throw.
 * @example
 * const { disparity, width, height } = await disparity('left.png', 'right.png', { model: 'student.onnx' });
 */
export async function disparity(
  left: StereoImageInput,
  right: StereoImageInput,
  options: DisparityOptions & Omit<StereoMatcherOptions, 'frameSize'> & { model?: string | Uint8Array } = {},
): Promise<DisparityResult> {
  const { model, providers, intraOpNumThreads, interOpNumThreads, spinning, deviceId, tensorrt, ...callOptions } = options;
  let views: [StereoImageInput, StereoImageInput] = [left, right];
  let decodeMs = 0;
  let frameSize: StereoMatcherOptions['frameSize'];
  if (model === undefined) {
    // The bundled model depends on the frame size, so decode before loading; the matcher then gets pixels.
    const t0 = now();
    const [l, r] = await Promise.all([loadImage(left, 'left'), loadImage(right, 'right')]);
    decodeMs = now() - t0;
    views = [l, r];
    frameSize = { width: l.width, height: l.height };
  }
  const matcher = await createStereoMatcher(model, { providers, intraOpNumThreads, interOpNumThreads, spinning, deviceId, tensorrt, frameSize });
  try {
    const result = await matcher.disparity(views[0], views[1], callOptions);
    result.timings.preprocessMs += decodeMs;
    return result;
  } finally {
    await matcher.dispose();
  }
}
