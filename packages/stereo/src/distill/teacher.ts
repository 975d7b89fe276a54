/**
 * A teacher: any ONNX stereo model, run in inference mode through core's backend. What it offers is
 * read from its contract or I/O: a distribution over disparity bins (`logits`, with its bin spacing
 * and downsampling), or only a disparity map, and optionally a confidence and a feature map. It is
 * fed exactly as its contract says (normalization, channels, colour order, padding to its stride).
 */
import { createHash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import {
  createSession,
  decodeOnnx,
  encodeOnnx,
  FileFormatError,
  FileNotFoundError,
  Graph,
  InvalidParameterError,
  is,
  toPlanarFloat,
  type BackendTensor,
  type RasterImage,
  type Session,
} from '@stereo-sdk/core';
import { graphIo, resolveTeacherContract, type TeacherContract } from './teacher-contract.js';

/** A downsampled output map: `data[c · height · width + y · width + x]`. */
export interface TeacherGrid {
  readonly channels: number;
  readonly width: number;
  readonly height: number;
  /** Input pixels per grid cell (the input, padded, is `downsample ·` the grid). */
  readonly downsample: number;
  readonly data: Float32Array;
}

/** What one teacher run returns for an image of `width × height`. */
export interface TeacherOutput {
  readonly width: number;
  readonly height: number;
  /** Disparity in input pixels, `width · height`, row-major (non-finite where the teacher gave none). */
  readonly disparity: Float32Array;
  /** Scores over the disparity bins, on the padded input's grid. */
  readonly logits?: TeacherGrid;
  /** Confidence in [0, 1] (the model's own, or the max softmax probability of its logits), one channel. */
  readonly confidence?: TeacherGrid;
  /** The feature map for feature hints. */
  readonly features?: TeacherGrid;
}

/** Which optional outputs a run should return. */
export interface TeacherRequest {
  logits?: boolean;
  confidence?: boolean;
  features?: boolean;
}

/** Options of `openTeacher`. */
export interface OpenTeacherOptions {
  /** onnxruntime intra-op threads, [0, 64]; default 0 = one per core. */
  threads?: number;
  /** Name of the output holding the teacher's features (for feature hints); default the output whose name contains "feat", if any. */
  featureOutput?: string;
}

/** An opened teacher. */
export interface Teacher {
  /** The file, or a label for an in-memory graph. */
  readonly source: string;
  /** SHA-256 of the model bytes (hex): the teacher's identity in the output cache. */
  readonly id: string;
  readonly contract: TeacherContract;
  readonly contractOrigin: 'metadata' | 'inferred';
  /** `logits` when it exposes its disparity distribution, else `disparity`. */
  readonly kind: 'logits' | 'disparity';
  /**
   * Its distribution: `bins` hypotheses, bin k at disparity `k · spacing` input pixels. The spacing
   * is the logits' downsampling: hypothesis k is disparity k at the logits' resolution, as in cost
   * volumes built there (this project's networks, block matching); the contract does not say more.
   */
  readonly logits?: { readonly name: string; readonly bins: number; readonly spacing: number; readonly downsample: number };
  /** Whether it can give a confidence (its own output, or from its logits). */
  readonly hasConfidence: boolean;
  readonly features?: { readonly name: string; readonly channels: number };
  /** Input sizes are padded to multiples of this. */
  readonly multiple: number;
  /** Number of `run` calls so far. */
  readonly runs: number;
  /**
   * Runs the teacher on one pair (any size; padded as its contract says, outputs cropped back).
   * @throws InvalidParameterError when the views differ in size or a fixed-size teacher gets another size
   * @throws BackendError when onnxruntime fails
   */
  run(left: RasterImage, right: RasterImage, want?: TeacherRequest): Promise<TeacherOutput>;
  release(): Promise<void>;
}

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
const lcm = (a: number, b: number): number => (a / gcd(a, b)) * b;

/** Writes one view as the teacher expects it: planar, normalized, colour order, padded. */
function writeView(img: RasterImage, contract: TeacherContract, out: Float32Array, width: number, height: number): void {
  const c = contract.channels;
  const planar = toPlanarFloat(img, { channels: c });
  const { scale, mean, std } = contract.normalization;
  const w = img.width;
  const h = img.height;
  for (let k = 0; k < c; k++) {
    const src = planar.data.subarray((contract.colorOrder === 'bgr' && c === 3 ? 2 - k : k) * w * h);
    const dst = out.subarray(k * width * height, (k + 1) * width * height);
    const mul = scale / std[k]!;
    const add = -mean[k]! / std[k]!;
    for (let y = 0; y < h; y++) {
      const row = y * width;
      for (let x = 0; x < w; x++) dst[row + x] = src[y * w + x]! * mul + add;
      dst.fill(contract.padding === 'zero' ? 0 : dst[row + w - 1]!, row + w, row + width);
    }
    for (let y = h; y < height; y++) {
      if (contract.padding === 'zero') dst.fill(0, y * width, (y + 1) * width);
      else dst.copyWithin(y * width, (h - 1) * width, h * width);
    }
  }
}

/** A [1, C, h, w] or [1, h, w] output as a grid of an input padded to `paddedHeight`. */
function toGrid(t: BackendTensor, paddedHeight: number, what: string, source: string): TeacherGrid {
  const d = t.dims;
  const [channels, height, width] = d.length === 4 ? [d[1]!, d[2]!, d[3]!] : d.length === 3 ? [1, d[1]!, d[2]!] : [0, 0, 0];
  if (channels === 0 || d[0] !== 1 || height === 0 || paddedHeight % height !== 0) {
    throw new FileFormatError(source, `${what} output has shape [${d.join(', ')}], not [1, C, H/k, W/k] for a ${paddedHeight}-row input`);
  }
  return { channels, width, height, downsample: paddedHeight / height, data: Float32Array.from(t.data as Float32Array) };
}

/** Max softmax probability per cell of a logits grid (the confidence of a teacher without its own). */
function maxProbability(logits: TeacherGrid): TeacherGrid {
  const { channels: d, width, height } = logits;
  const plane = width * height;
  const out = new Float32Array(plane);
  for (let i = 0; i < plane; i++) {
    let max = -Infinity;
    for (let k = 0; k < d; k++) max = Math.max(max, logits.data[k * plane + i]!);
    let sum = 0;
    for (let k = 0; k < d; k++) sum += Math.exp(logits.data[k * plane + i]! - max);
    out[i] = 1 / sum;
  }
  return { channels: 1, width, height, downsample: logits.downsample, data: out };
}

/**
 * Opens a teacher for inference.
 * @param model - an ONNX file, or a Graph in memory
 * @param opts - threads, and the feature output's name for feature hints
 * @returns the teacher; `release()` it at the end
 * @throws FileNotFoundError when the file does not exist
 * @throws FileFormatError naming the file when it is not ONNX, has no disparity output, or its
 *   contract is malformed or names tensors the graph lacks
 * @throws InvalidParameterError when `featureOutput` is not an output of the model
 * @throws BackendError when onnxruntime cannot load it
 * @example
 * const teacher = await openTeacher('teacher.onnx', { threads: 2 });
 * const { disparity, logits } = await teacher.run(left, right, { logits: true });
 */
export async function openTeacher(model: string | Graph, opts: OpenTeacherOptions = {}): Promise<Teacher> {
  if (!is.plainObject(opts as unknown)) throw is.invalidParameterError('teacher options', 'an object', opts);
  const threads = opts.threads ?? 0;
  is.assertInteger('threads', threads, 0, 64);
  let bytes: Uint8Array;
  let source: string;
  if (model instanceof Graph) {
    bytes = encodeOnnx(model);
    source = `<in-memory teacher '${model.name}'>`;
  } else {
    is.assertString('teacher', model);
    source = model;
    try {
      bytes = await fsp.readFile(model);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new FileNotFoundError(model, 'teacher model', 'Pass an existing ONNX stereo model as the teacher (e.g. train one with stereo-sdk train --arch teacher).');
      throw new FileFormatError(model, `cannot read the teacher (${(e as Error).message})`, { cause: e });
    }
  }
  const graph = decodeOnnx(bytes, source);
  const { contract, origin } = resolveTeacherContract(graph, source);
  const io = graphIo(graph);
  let features: Teacher['features'];
  const featureName = opts.featureOutput ?? io.outputs.find((o) => /feat/i.test(o.name))?.name;
  if (featureName !== undefined) {
    const f = io.outputs.find((o) => o.name === featureName);
    if (!f) throw new InvalidParameterError(`featureOutput '${featureName}' is not an output of teacher ${source} (outputs: ${io.outputs.map((o) => o.name).join(', ')})`);
    if (f.shape.length !== 4 || typeof f.shape[1] !== 'number') throw new FileFormatError(source, `feature output '${featureName}' must be [N, C, h, w] with a fixed C, not [${f.shape.join(', ')}]`);
    features = { name: featureName, channels: f.shape[1] };
  }
  let logits: Teacher['logits'];
  if (contract.outputs.logits) {
    const l = io.outputs.find((o) => o.name === contract.outputs.logits!.name)!;
    const bins = l.shape[1];
    if (l.shape.length !== 4 || typeof bins !== 'number' || bins < 2) throw new FileFormatError(source, `logits output '${l.name}' must be [N, D, h, w] with a fixed D ≥ 2, not [${l.shape.join(', ')}]`);
    const downsample = contract.outputs.logits.downsample;
    logits = { name: l.name, bins, downsample, spacing: downsample };
  }
  const session: Session = await createSession(bytes, { threads });
  const id = createHash('sha256').update(bytes).digest('hex');
  const multiple = lcm(contract.stride, lcm(logits?.downsample ?? 4, contract.outputs.confidence?.downsample ?? 4));
  let runs = 0;

  const run = async (left: RasterImage, right: RasterImage, want: TeacherRequest = {}): Promise<TeacherOutput> => {
    const { width, height } = left;
    if (right.width !== width || right.height !== height) throw new InvalidParameterError(`teacher input: left is ${width}x${height} but right is ${right.width}x${right.height}`);
    const fixed = contract.fixedSize;
    if (fixed && (fixed.width !== width || fixed.height !== height)) {
      throw new InvalidParameterError(`teacher ${source} takes only ${fixed.width}x${fixed.height} inputs, not ${width}x${height}; distillation needs a teacher exported with dynamic H and W`);
    }
    const w = fixed ? width : Math.ceil(width / multiple) * multiple;
    const h = fixed ? height : Math.ceil(height / multiple) * multiple;
    const c = contract.channels;
    const plane = c * w * h;
    const feeds: Record<string, BackendTensor> = {};
    if (contract.inputs.layout === 'pair') {
      const l = new Float32Array(plane);
      const r = new Float32Array(plane);
      writeView(left, contract, l, w, h);
      writeView(right, contract, r, w, h);
      feeds[contract.inputs.left] = { type: 'float32', dims: [1, c, h, w], data: l };
      feeds[contract.inputs.right] = { type: 'float32', dims: [1, c, h, w], data: r };
    } else {
      const both = new Float32Array(2 * plane);
      writeView(left, contract, both.subarray(0, plane), w, h);
      writeView(right, contract, both.subarray(plane), w, h);
      feeds[contract.inputs.name] = { type: 'float32', dims: [1, 2 * c, h, w], data: both };
    }
    const ownConfidence = contract.outputs.confidence?.name;
    const fetch = [contract.outputs.disparity];
    if ((want.logits || (want.confidence && !ownConfidence)) && logits) fetch.push(logits.name);
    if (want.confidence && ownConfidence) fetch.push(ownConfidence);
    if (want.features && features) fetch.push(features.name);
    const out = await session.run(feeds, fetch);
    runs++;
    const disp = out[contract.outputs.disparity]!;
    const full = disp.data as Float32Array;
    if (disp.dims.at(-1) !== w || disp.dims.at(-2) !== h) throw new FileFormatError(source, `disparity output has shape [${disp.dims.join(', ')}] for a ${w}x${h} input; expected [1, 1, ${h}, ${w}]`);
    const disparity = new Float32Array(width * height);
    for (let y = 0; y < height; y++) disparity.set(full.subarray(y * w, y * w + width), y * width);
    const logitGrid = logits && out[logits.name] ? toGrid(out[logits.name]!, h, 'logits', source) : undefined;
    let confidence: TeacherGrid | undefined;
    if (want.confidence) confidence = ownConfidence ? toGrid(out[ownConfidence]!, h, 'confidence', source) : logitGrid ? maxProbability(logitGrid) : undefined;
    return {
      width,
      height,
      disparity,
      ...(want.logits && logitGrid ? { logits: logitGrid } : {}),
      ...(confidence ? { confidence } : {}),
      ...(want.features && features ? { features: toGrid(out[features.name]!, h, 'feature', source) } : {}),
    };
  };

  return {
    source,
    id,
    contract,
    contractOrigin: origin,
    kind: logits ? 'logits' : 'disparity',
    ...(logits ? { logits } : {}),
    hasConfidence: contract.outputs.confidence !== undefined || logits !== undefined,
    ...(features ? { features } : {}),
    multiple,
    get runs() {
      return runs;
    },
    run,
    release: () => session.release(),
  };
}
