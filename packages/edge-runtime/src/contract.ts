/**
 * The model contract: how to feed a stereo model and read its outputs, stored as JSON in the ONNX
 * metadata (key `stereo_sdk.contract`) by our exporter. This module parses and validates it, writes
 * it, checks it against the graph's declared inputs/outputs, and infers one for a model that has no
 * metadata but whose I/O can only mean "stereo". The schema is documented in CONTRACT.md.
 */
import { CONTRACT_METADATA_KEY, DEFAULTS } from './defaults.js';
import { ModelContractError } from './errors.js';
import type { OnnxValueInfo } from './onnx-metadata.js';
import type { ContractInputs, ContractSize, ModelContract } from './types.js';

/** A contract as written by hand or by an exporter: fields with defaults may be left out. */
export interface ModelContractInit {
  version?: 1;
  inputs: ContractInputs;
  channels: 1 | 3;
  colorOrder?: 'rgb' | 'bgr';
  normalization?: { scale?: number; mean?: number | number[]; std?: number | number[] };
  stride: number;
  padding?: 'replicate' | 'zero';
  maxDisparity?: number;
  size?: ContractSize;
  outputs: {
    disparity: string;
    logits?: { name: string; downsample: number };
    confidence?: { name: string; downsample: number };
  };
}

/** Where a matcher's contract came from. */
export type ContractOrigin = 'metadata' | 'inferred';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const show = (v: unknown): string => (v === undefined ? 'nothing' : JSON.stringify(v));

/** Validates contract fields; every failure names the field and what it should be. */
class FieldChecker {
  constructor(private readonly source: string) {}

  fail(field: string, expected: string, actual: unknown): never {
    throw new ModelContractError(
      this.source,
      `${CONTRACT_METADATA_KEY}: field '${field}' must be ${expected} (got ${show(actual)}); see CONTRACT.md`,
    );
  }

  object(field: string, v: unknown): Obj {
    return isObj(v) ? v : this.fail(field, 'an object', v);
  }

  name(field: string, v: unknown): string {
    return typeof v === 'string' && v.length > 0 ? v : this.fail(field, 'a non-empty tensor name', v);
  }

  int(field: string, v: unknown, lo: number): number {
    return Number.isInteger(v) && (v as number) >= lo ? (v as number) : this.fail(field, `an integer ≥ ${lo}`, v);
  }

  positive(field: string, v: unknown): number {
    return typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : this.fail(field, 'a positive number', v);
  }

  oneOf<T>(field: string, v: unknown, choices: readonly T[]): T {
    return choices.includes(v as T) ? (v as T) : this.fail(field, `one of ${choices.map((c) => JSON.stringify(c)).join(', ')}`, v);
  }

  /** A `{ name, downsample }` output reference (logits, confidence). */
  downsampled(field: string, v: unknown): { name: string; downsample: number } {
    const o = this.object(field, v);
    return { name: this.name(`${field}.name`, o.name), downsample: this.int(`${field}.downsample`, o.downsample, 1) };
  }

  /** A number or per-channel array, returned as an array of `channels` numbers. */
  perChannel(field: string, v: unknown, channels: number, positive: boolean): number[] {
    const arr = typeof v === 'number' ? [v] : v;
    const ok = Array.isArray(arr) && (arr.length === 1 || arr.length === channels) &&
      arr.every((x) => typeof x === 'number' && Number.isFinite(x) && (!positive || x > 0));
    if (!ok) this.fail(field, `a ${positive ? 'positive ' : ''}number or an array of 1 or ${channels} such numbers`, v);
    const nums = arr as number[];
    return nums.length === channels ? [...nums] : new Array<number>(channels).fill(nums[0]);
  }
}

/**
 * Parses and validates a model contract, filling in defaults.
 * @param json - the contract as a JSON string (as stored in the metadata) or an object.
 * @param source - model path or label for error messages; default `<contract>`.
 * @returns a complete {@link ModelContract}.
 * @throws ModelContractError naming the first missing or malformed field.
 * @example
 * const contract = parseContract('{"version":1,"inputs":{"layout":"pair","left":"left","right":"right"},' +
 *   '"channels":3,"stride":32,"outputs":{"disparity":"disparity"}}');
 */
export function parseContract(json: string | ModelContractInit | unknown, source = '<contract>'): ModelContract {
  let raw: unknown = json;
  if (typeof json === 'string') {
    try {
      raw = JSON.parse(json);
    } catch (err) {
      throw new ModelContractError(source, `${CONTRACT_METADATA_KEY} is not valid JSON (${(err as Error).message})`);
    }
  }
  const c = new FieldChecker(source);
  const o = c.object('(root)', raw);
  const version = o.version ?? 1;
  if (typeof version === 'number' && version > 1) {
    throw new ModelContractError(source, `${CONTRACT_METADATA_KEY} has version ${version}; this runtime reads version 1. Update @stereo-sdk/edge-runtime`);
  }
  c.oneOf('version', version, [1] as const);

  const ins = c.object('inputs', o.inputs);
  const layout = c.oneOf('inputs.layout', ins.layout, ['pair', 'stacked'] as const);
  let inputs: ContractInputs;
  if (layout === 'pair') {
    const left = c.name('inputs.left', ins.left);
    const right = c.name('inputs.right', ins.right);
    if (left === right) c.fail('inputs.right', 'different from inputs.left', right);
    inputs = { layout, left, right };
  } else {
    inputs = { layout, name: c.name('inputs.name', ins.name) };
  }

  const channels = c.oneOf('channels', o.channels, [1, 3] as const);
  const colorOrder = c.oneOf('colorOrder', o.colorOrder ?? DEFAULTS.colorOrder, ['rgb', 'bgr'] as const);
  const norm = o.normalization === undefined ? {} : c.object('normalization', o.normalization);
  const normalization = {
    scale: c.positive('normalization.scale', norm.scale ?? DEFAULTS.normalization.scale),
    mean: c.perChannel('normalization.mean', norm.mean ?? DEFAULTS.normalization.mean, channels, false),
    std: c.perChannel('normalization.std', norm.std ?? DEFAULTS.normalization.std, channels, true),
  };
  const stride = c.int('stride', o.stride, 1);
  const padding = c.oneOf('padding', o.padding ?? DEFAULTS.padding, ['replicate', 'zero'] as const);
  const maxDisparity = o.maxDisparity === undefined ? undefined : c.positive('maxDisparity', o.maxDisparity);

  let size: ContractSize = { dynamic: true };
  if (o.size !== undefined) {
    const s = c.object('size', o.size);
    const dynamic = c.oneOf('size.dynamic', s.dynamic, [true, false] as const);
    if (!dynamic) size = { dynamic, width: c.int('size.width', s.width, 1), height: c.int('size.height', s.height, 1) };
  }

  const outs = c.object('outputs', o.outputs);
  const outputs: ModelContract['outputs'] = { disparity: c.name('outputs.disparity', outs.disparity) };
  if (outs.logits !== undefined) outputs.logits = c.downsampled('outputs.logits', outs.logits);
  if (outs.confidence !== undefined) {
    outputs.confidence = c.downsampled('outputs.confidence', outs.confidence);
    const taken = [outputs.disparity, outputs.logits?.name];
    if (taken.includes(outputs.confidence.name)) c.fail('outputs.confidence.name', 'an output other than the disparity and logits', outputs.confidence.name);
  }

  const contract: ModelContract = { version: 1, inputs, channels, colorOrder, normalization, stride, padding, size, outputs };
  if (maxDisparity !== undefined) contract.maxDisparity = maxDisparity;
  return contract;
}

/**
 * Returns the metadata entry an exporter embeds in an ONNX model (`ModelProto.metadata_props`),
 * after validating the contract and filling in defaults.
 * @param contract - the contract; fields with defaults may be omitted.
 * @returns `{ key: 'stereo_sdk.contract', value: '<JSON>' }`.
 * @throws ModelContractError when the contract is malformed.
 * @example
 * const { key, value } = writeContract({
 *   inputs: { layout: 'pair', left: 'left', right: 'right' }, channels: 3, stride: 32,
 *   normalization: { mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] },
 *   outputs: { disparity: 'disparity', logits: { name: 'logits', downsample: 4 } },
 * });
 * model.metadataProps.push({ key, value });
 */
export function writeContract(contract: ModelContractInit | ModelContract): { key: string; value: string } {
  return { key: CONTRACT_METADATA_KEY, value: JSON.stringify(parseContract(contract)) };
}

const describeIo = (v: OnnxValueInfo): string => `${v.name} ${v.type} [${v.shape.join(',')}]`;

/** Dimension `i` of `v` as a number, or undefined when symbolic/unknown. */
const dim = (v: OnnxValueInfo, i: number): number | undefined => (typeof v.shape[i] === 'number' ? (v.shape[i] as number) : undefined);

/** The model's declared size when its H and W are fixed numbers. */
function fixedSize(v: OnnxValueInfo): ContractSize {
  const h = dim(v, 2);
  const w = dim(v, 3);
  return h !== undefined && w !== undefined ? { dynamic: false, width: w, height: h } : { dynamic: true };
}

/**
 * Checks a contract against the graph's declared inputs and outputs and returns the contract to use
 * (a fixed-size graph turns a `dynamic` contract into a fixed one).
 * @throws ModelContractError naming the missing or mis-shaped tensor.
 */
export function checkContract(contract: ModelContract, io: { inputs: OnnxValueInfo[]; outputs: OnnxValueInfo[] }, source: string): ModelContract {
  const fail = (problem: string): never => {
    throw new ModelContractError(source, `${CONTRACT_METADATA_KEY} does not match the graph: ${problem}`);
  };
  const names = contract.inputs.layout === 'pair' ? [contract.inputs.left, contract.inputs.right] : [contract.inputs.name];
  const expectC = contract.inputs.layout === 'pair' ? contract.channels : 2 * contract.channels;
  let size = contract.size;
  for (const name of names) {
    const v = io.inputs.find((i) => i.name === name);
    if (!v) fail(`input '${name}' not found (graph inputs: ${io.inputs.map(describeIo).join('; ') || 'none'})`);
    const info = v as OnnxValueInfo;
    if (info.type !== 'float32') fail(`input ${describeIo(info)} must be float32`);
    if (info.shape.length !== 0 && info.shape.length !== 4) fail(`input ${describeIo(info)} must have rank 4 [N,C,H,W]`);
    const c = dim(info, 1);
    if (c !== undefined && c !== expectC) fail(`input ${describeIo(info)} has ${c} channels, the contract implies ${expectC}`);
    const declared = fixedSize(info);
    if (!declared.dynamic) {
      if (!size.dynamic && (size.width !== declared.width || size.height !== declared.height)) {
        fail(`input ${describeIo(info)} is ${declared.width}x${declared.height}, the contract says ${size.width}x${size.height}`);
      }
      size = declared;
    }
  }
  const { disparity, logits, confidence } = contract.outputs;
  const outNames = [disparity, ...(logits ? [logits.name] : []), ...(confidence ? [confidence.name] : [])];
  for (const name of outNames) {
    if (!io.outputs.some((o) => o.name === name)) {
      fail(`output '${name}' not found (graph outputs: ${io.outputs.map(describeIo).join('; ') || 'none'})`);
    }
  }
  const conf = confidence && io.outputs.find((o) => o.name === confidence.name);
  if (conf && conf.shape.length !== 0 && !isSingleChannel(conf)) fail(`confidence output ${describeIo(conf)} must be float32 [N,1,h,w] or [N,h,w]`);
  return size === contract.size ? contract : { ...contract, size };
}

const isImageInput = (v: OnnxValueInfo): boolean => {
  const c = dim(v, 1);
  return v.type === 'float32' && v.shape.length === 4 && (c === undefined || c === 1 || c === 3);
};

/** A float32 single-channel map, [N,1,H,W] or [N,H,W] (disparity, confidence). */
const isSingleChannel = (v: OnnxValueInfo): boolean =>
  v.type === 'float32' && (v.shape.length === 3 || (v.shape.length === 4 && dim(v, 1) === 1));

/**
 * Infers a contract for a model without `stereo_sdk.contract` metadata: two float32 inputs
 * [N,C,H,W] (C 1 or 3; named left/right or taken in order) and a float32 output [N,1,H,W] or [N,H,W]
 * (one named like "disp" preferred, one named like "conf" avoided). Normalization is assumed to be
 * pixel/255 (no mean/std), stride 32. Another single-channel output named like "conf" is used as the
 * confidence; else an output named like "logit" with shape [N,D,h,w] gives it.
 * @throws ModelContractError listing what the graph has and what a stereo model needs.
 */
export function inferContract(io: { inputs: OnnxValueInfo[]; outputs: OnnxValueInfo[] }, source: string): ModelContract {
  const missing = (problem: string): never => {
    throw new ModelContractError(
      source,
      `not a stereo model this runtime can drive: it has no '${CONTRACT_METADATA_KEY}' metadata, and ${problem}. ` +
        `Inputs: ${io.inputs.map(describeIo).join('; ') || 'none'}. Outputs: ${io.outputs.map(describeIo).join('; ') || 'none'}. ` +
        `Embed a contract (writeContract(), see CONTRACT.md) to describe its I/O`,
    );
  };
  if (io.inputs.length !== 2) missing(`it has ${io.inputs.length} input(s) where two image inputs [N,C,H,W] (left, right) are needed`);
  if (!io.inputs.every(isImageInput)) missing('its inputs are not both float32 [N,C,H,W] with C = 1 or 3');
  let [left, right] = io.inputs;
  const byName = (re: RegExp) => io.inputs.find((i) => re.test(i.name));
  const l = byName(/left/i);
  const r = byName(/right/i);
  if (l && r && l !== r) [left, right] = [l, r];
  const cl = dim(left, 1);
  const cr = dim(right, 1);
  if (cl !== undefined && cr !== undefined && cl !== cr) missing(`its inputs have different channel counts (${cl} and ${cr})`);
  const channels = (cl ?? cr ?? 3) as 1 | 3;

  const candidates = io.outputs.filter(isSingleChannel);
  if (candidates.length === 0) missing('no output has the shape of a disparity map (float32 [N,1,H,W] or [N,H,W])');
  const isConf = (o: OnnxValueInfo): boolean => /conf/i.test(o.name);
  const disparity = candidates.find((o) => /disp/i.test(o.name) && !isConf(o)) ?? candidates.find((o) => !isConf(o)) ?? candidates[0];
  const logits = io.outputs.find((o) => o !== disparity && /logit/i.test(o.name) && o.type === 'float32' && o.shape.length === 4 && dim(o, 1) !== 1);
  const confidence = candidates.find((o) => o !== disparity && isConf(o));

  const size = fixedSize(left);
  const contract: ModelContract = {
    version: 1,
    inputs: { layout: 'pair', left: left.name, right: right.name },
    channels,
    colorOrder: DEFAULTS.colorOrder,
    normalization: { scale: 1, mean: new Array<number>(channels).fill(0), std: new Array<number>(channels).fill(1) },
    stride: size.dynamic ? DEFAULTS.inferredStride : 1,
    padding: DEFAULTS.padding,
    size,
    outputs: { disparity: disparity.name },
  };
  // Informational (the runtime reads the factor off the actual shapes): from the declared H when known.
  const downsample = (v: OnnxValueInfo): number => {
    const h = dim(left, 2);
    const vh = dim(v, v.shape.length - 2);
    return h !== undefined && vh !== undefined && vh > 0 ? Math.max(1, Math.round(h / vh)) : 1;
  };
  if (logits) contract.outputs.logits = { name: logits.name, downsample: downsample(logits) };
  if (confidence) contract.outputs.confidence = { name: confidence.name, downsample: downsample(confidence) };
  return contract;
}

/**
 * The contract of a model: parsed from its metadata when present (and checked against the graph),
 * inferred from its I/O otherwise.
 * @param info - metadata and graph I/O, as {@link readOnnxModelInfo} returns them.
 * @param source - model path or label for error messages.
 * @returns the contract and whether it came from the metadata or was inferred.
 * @throws ModelContractError when the metadata is malformed, disagrees with the graph, or is absent and cannot be inferred.
 * @example
 * const { contract, origin } = resolveContract(readOnnxModelInfo(bytes, 'model.onnx'), 'model.onnx');
 */
export function resolveContract(
  info: { metadata: Record<string, string>; inputs: OnnxValueInfo[]; outputs: OnnxValueInfo[] },
  source: string,
): { contract: ModelContract; origin: ContractOrigin } {
  const json = info.metadata[CONTRACT_METADATA_KEY];
  if (json === undefined) return { contract: inferContract(info, source), origin: 'inferred' };
  return { contract: checkContract(parseContract(json, source), info, source), origin: 'metadata' };
}
