/**
 * How to feed a teacher and read it: the model contract (`stereo_sdk.contract`, CONTRACT.md of the
 * edge runtime) when the file has one, else inferred from its inputs and outputs by the same rules
 * as the runtime. The stereo package does not depend on the runtime, so the fields distillation
 * needs are read here; a feature output (for feature hints) is found by name.
 */
import { FileFormatError, type Dim, type Graph } from '@stereo-sdk/core';
import { CONTRACT_KEY } from '../nets/export.js';

/** How a teacher is fed and what it outputs. */
export interface TeacherContract {
  readonly inputs: { readonly layout: 'pair'; readonly left: string; readonly right: string } | { readonly layout: 'stacked'; readonly name: string };
  readonly channels: 1 | 3;
  readonly colorOrder: 'rgb' | 'bgr';
  /** `input = (pixel01 · scale − mean[c]) / std[c]`, one mean and std per channel. */
  readonly normalization: { readonly scale: number; readonly mean: readonly number[]; readonly std: readonly number[] };
  readonly stride: number;
  readonly padding: 'replicate' | 'zero';
  readonly maxDisparity?: number;
  /** A fixed-size model takes only this size. */
  readonly fixedSize?: { readonly width: number; readonly height: number };
  readonly outputs: {
    readonly disparity: string;
    readonly logits?: { readonly name: string; readonly downsample: number };
    readonly confidence?: { readonly name: string; readonly downsample: number };
  };
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

interface Io {
  readonly name: string;
  readonly dtype: string;
  readonly shape: readonly Dim[];
}

const describe = (v: Io): string => `${v.name} ${v.dtype} [${v.shape.join(',')}]`;
const dim = (v: Io, i: number): number | undefined => (typeof v.shape[i] === 'number' ? (v.shape[i] as number) : undefined);

/** Graph inputs and outputs with their declared types. */
export function graphIo(g: Graph): { inputs: Io[]; outputs: Io[] } {
  const io = (name: string): Io => ({ name, dtype: g.dtype(name) ?? 'unknown', shape: g.shape(name) ?? [] });
  return { inputs: g.inputs.filter((i) => !g.isInitializer(i)).map(io), outputs: g.outputs.map(io) };
}

/** Per-channel values of a contract field (a number or an array of 1 or `channels` numbers). */
function perChannel(v: unknown, channels: number, fallback: number, fail: (what: string) => never, field: string): number[] {
  const arr = v === undefined ? [fallback] : typeof v === 'number' ? [v] : v;
  if (!Array.isArray(arr) || (arr.length !== 1 && arr.length !== channels) || !arr.every((x) => typeof x === 'number' && Number.isFinite(x))) {
    fail(`field 'normalization.${field}' must be a number or an array of 1 or ${channels} numbers`);
  }
  const nums = arr as number[];
  return nums.length === channels ? [...nums] : new Array<number>(channels).fill(nums[0]!);
}

/** Reads the contract from the metadata JSON (the fields distillation uses). */
function parse(json: string, source: string): TeacherContract {
  const fail = (problem: string): never => {
    throw new FileFormatError(source, `${CONTRACT_KEY}: ${problem} (see the edge runtime's CONTRACT.md)`);
  };
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (e) {
    return fail(`not JSON (${(e as Error).message})`);
  }
  if (!isObj(raw)) return fail('not an object');
  const ins = isObj(raw.inputs) ? raw.inputs : fail("field 'inputs' must be an object");
  const name = (v: unknown, field: string): string => (typeof v === 'string' && v !== '' ? v : fail(`field '${field}' must be a tensor name`));
  const inputs =
    ins.layout === 'stacked'
      ? { layout: 'stacked' as const, name: name(ins.name, 'inputs.name') }
      : ins.layout === 'pair'
        ? { layout: 'pair' as const, left: name(ins.left, 'inputs.left'), right: name(ins.right, 'inputs.right') }
        : fail("field 'inputs.layout' must be 'pair' or 'stacked'");
  const channels = raw.channels === 1 || raw.channels === 3 ? raw.channels : fail("field 'channels' must be 1 or 3");
  const norm = raw.normalization === undefined ? {} : isObj(raw.normalization) ? raw.normalization : fail("field 'normalization' must be an object");
  const scale = norm.scale === undefined ? 1 : typeof norm.scale === 'number' && norm.scale > 0 ? norm.scale : fail("field 'normalization.scale' must be a positive number");
  const std = perChannel(norm.std, channels, 1, fail, 'std');
  if (std.some((s) => s <= 0)) fail("field 'normalization.std' must be positive");
  const stride = Number.isInteger(raw.stride) && (raw.stride as number) >= 1 ? (raw.stride as number) : fail("field 'stride' must be an integer ≥ 1");
  const outs = isObj(raw.outputs) ? raw.outputs : fail("field 'outputs' must be an object");
  const downsampled = (v: unknown, field: string): { name: string; downsample: number } | undefined => {
    if (v === undefined) return undefined;
    if (!isObj(v) || !Number.isInteger(v.downsample) || (v.downsample as number) < 1) return fail(`field '${field}' must be { name, downsample }`);
    return { name: name(v.name, `${field}.name`), downsample: v.downsample as number };
  };
  const logits = downsampled(outs.logits, 'outputs.logits');
  const confidence = downsampled(outs.confidence, 'outputs.confidence');
  const size = isObj(raw.size) && raw.size.dynamic === false && Number.isInteger(raw.size.width) && Number.isInteger(raw.size.height) ? { width: raw.size.width as number, height: raw.size.height as number } : undefined;
  return {
    inputs,
    channels,
    colorOrder: raw.colorOrder === 'bgr' ? 'bgr' : 'rgb',
    normalization: { scale, mean: perChannel(norm.mean, channels, 0, fail, 'mean'), std },
    stride,
    padding: raw.padding === 'zero' ? 'zero' : 'replicate',
    ...(typeof raw.maxDisparity === 'number' && raw.maxDisparity > 0 ? { maxDisparity: raw.maxDisparity } : {}),
    ...(size ? { fixedSize: size } : {}),
    outputs: { disparity: name(outs.disparity, 'outputs.disparity'), ...(logits ? { logits } : {}), ...(confidence ? { confidence } : {}) },
  };
}

const isImageInput = (v: Io): boolean => v.dtype === 'float32' && v.shape.length === 4 && [undefined, 1, 3].includes(dim(v, 1));
const isSingleChannel = (v: Io): boolean => v.dtype === 'float32' && (v.shape.length === 3 || (v.shape.length === 4 && dim(v, 1) === 1));

/** Infers a contract from the I/O alone, as the edge runtime does (inputs in [0, 1], stride 32). */
function infer(io: { inputs: Io[]; outputs: Io[] }, source: string): TeacherContract {
  const missing = (problem: string): never => {
    throw new FileFormatError(
      source,
      `is not a stereo teacher: it has no '${CONTRACT_KEY}' metadata, and ${problem}. Inputs: ${io.inputs.map(describe).join('; ') || 'none'}. Outputs: ${io.outputs.map(describe).join('; ') || 'none'}`,
    );
  };
  if (io.inputs.length !== 2 || !io.inputs.every(isImageInput)) missing('it does not have two float32 image inputs [N,C,H,W] (C = 1 or 3)');
  let [left, right] = io.inputs as [Io, Io];
  const l = io.inputs.find((i) => /left/i.test(i.name));
  const r = io.inputs.find((i) => /right/i.test(i.name));
  if (l && r && l !== r) [left, right] = [l, r];
  const channels = (dim(left, 1) ?? dim(right, 1) ?? 3) as 1 | 3;
  const isConf = (o: Io): boolean => /conf/i.test(o.name);
  const candidates = io.outputs.filter((o) => isSingleChannel(o) && !isConf(o));
  const disparity = candidates.find((o) => /disp/i.test(o.name)) ?? candidates[0];
  if (!disparity) return missing('no output is a disparity map (float32 [N,1,H,W] or [N,H,W], not named like "conf")');
  const h = dim(left, 2);
  const downsample = (v: Io): number => {
    const vh = dim(v, v.shape.length - 2);
    return h !== undefined && vh !== undefined && vh > 0 ? Math.max(1, Math.round(h / vh)) : 4;
  };
  const logits = io.outputs.find((o) => o !== disparity && /logit/i.test(o.name) && o.dtype === 'float32' && o.shape.length === 4 && dim(o, 1) !== 1);
  const confidence = io.outputs.find((o) => o !== disparity && isSingleChannel(o) && isConf(o));
  const w = dim(left, 3);
  const fixed = h !== undefined && w !== undefined;
  return {
    inputs: { layout: 'pair', left: left.name, right: right.name },
    channels,
    colorOrder: 'rgb',
    normalization: { scale: 1, mean: new Array<number>(channels).fill(0), std: new Array<number>(channels).fill(1) },
    stride: fixed ? 1 : 32,
    padding: 'replicate',
    ...(fixed ? { fixedSize: { width: w, height: h } } : {}),
    outputs: {
      disparity: disparity.name,
      ...(logits ? { logits: { name: logits.name, downsample: downsample(logits) } } : {}),
      ...(confidence ? { confidence: { name: confidence.name, downsample: downsample(confidence) } } : {}),
    },
  };
}

/**
 * The contract of a teacher model: from its metadata (checked against the graph) or inferred.
 * @param g - the decoded teacher
 * @param source - file name for messages
 * @returns the contract and where it came from
 * @throws FileFormatError naming the file when the metadata is malformed or names missing tensors,
 *   or when the I/O cannot be read as stereo
 */
export function resolveTeacherContract(g: Graph, source: string): { contract: TeacherContract; origin: 'metadata' | 'inferred' } {
  const io = graphIo(g);
  const json = g.metadata.get(CONTRACT_KEY);
  if (json === undefined) return { contract: infer(io, source), origin: 'inferred' };
  const contract = parse(json, source);
  const inputs = contract.inputs.layout === 'pair' ? [contract.inputs.left, contract.inputs.right] : [contract.inputs.name];
  for (const name of inputs) {
    if (!io.inputs.some((i) => i.name === name)) throw new FileFormatError(source, `${CONTRACT_KEY} names input '${name}', but the graph's inputs are ${io.inputs.map(describe).join('; ') || 'none'}`);
  }
  const { disparity, logits, confidence } = contract.outputs;
  if (!io.outputs.some((o) => o.name === disparity)) {
    throw new FileFormatError(source, `has no disparity output '${disparity}' (outputs: ${io.outputs.map(describe).join('; ') || 'none'}); a teacher must output disparity`);
  }
  for (const o of [logits?.name, confidence?.name]) {
    if (o !== undefined && !io.outputs.some((v) => v.name === o)) throw new FileFormatError(source, `${CONTRACT_KEY} names output '${o}', but the graph has no such output (outputs: ${io.outputs.map(describe).join('; ')})`);
  }
  return { contract, origin: 'metadata' };
}
