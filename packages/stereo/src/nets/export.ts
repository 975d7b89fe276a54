/**
 * Inference export of a network of the family: keep `disparity` (and `logits`), add `confidence`
 * (the softmax's max probability, read off the network's own softmax), fold BN into the convs,
 * declare H and W (and the batch) symbolic, and embed the model contract that the edge
 * runtime reads (packages/edge-runtime/CONTRACT.md). The networks do not load the runtime (only the
 * pruning pipeline does, lazily, to time candidates), so the contract JSON is written here, field for
 * field as CONTRACT.md specifies; a test parses it with the runtime's own parser.
 */
import {
  InvalidParameterError,
  inferShapes,
  is,
  toInferenceGraph,
  validateGraph,
  writeOnnx,
  type Graph,
} from '@stereo-sdk/core';
import { headScaleOf, INPUT_NORMALIZATION, type StereoNetConfig } from './config.js';
import { NET_METADATA_KEY, STEREO_NET_IO, type NetMetadata } from './network.js';
import { addMaxProbability } from './regression.js';

/** ONNX metadata key of the model contract (the edge runtime's `CONTRACT_METADATA_KEY`). */
export const CONTRACT_KEY = 'stereo_sdk.contract';

/** The model contract, schema version 1 (CONTRACT.md), as this exporter writes it. */
export interface StereoModelContract {
  readonly version: 1;
  readonly inputs: { readonly layout: 'pair'; readonly left: string; readonly right: string };
  readonly channels: 3;
  readonly colorOrder: 'rgb';
  readonly normalization: { readonly scale: number; readonly mean: readonly number[]; readonly std: readonly number[] };
  readonly stride: number;
  readonly padding: 'replicate';
  readonly maxDisparity: number;
  readonly size: { readonly dynamic: true } | { readonly dynamic: false; readonly width: number; readonly height: number };
  readonly outputs: {
    readonly disparity: string;
    readonly logits?: { readonly name: string; readonly downsample: number };
    readonly confidence?: { readonly name: string; readonly downsample: number };
  };
}

/** Options of `toInferenceModel` and `exportStereoModel`. */
export interface StereoExportOptions {
  /** Keep the `logits` output (distillation from the file; the runtime's confidence when there is no `confidence`); default true. */
  logits?: boolean;
  /**
   * Add the `confidence` output [N, 1, H/4, W/4], the largest softmax probability, computed in the
   * graph from the network's own softmax (one Reciprocal), so the runtime need not fetch the logits
   * nor compute it in JS; default true.
   */
  confidence?: boolean;
  /**
   * Declare batch, H and W symbolic so the model runs at any size (multiple of the stride); default
   * true. With false the model keeps the size it was built at and the contract says so.
   */
  dynamic?: boolean;
  /** Fold BatchNormalization into the preceding convs; default true. */
  foldBatchNorm?: boolean;
}

const DEFAULTS = { logits: true, confidence: true, dynamic: true, foldBatchNorm: true };


/**
 * Reads what the builder recorded about a network (kind, stride, config) from graph metadata.
 * @param graph - a graph built by `buildStudent`/`buildTeacher`, or trained/loaded from one.
 * @throws InvalidParameterError when the graph carries no such record.
 * @example const { config, stride } = readNetMetadata(trainer.modelGraph());
 */
export function readNetMetadata(graph: Graph): NetMetadata {
  const raw = graph.metadata.get(NET_METADATA_KEY);
  if (raw === undefined) {
    throw new InvalidParameterError(`Graph '${graph.name}' has no '${NET_METADATA_KEY}' metadata: export only works on networks built by buildStudent/buildTeacher (or trained from them)`);
  }
  try {
    const meta = JSON.parse(raw) as NetMetadata;
    if (!Number.isInteger(meta.stride) || !meta.config || !Number.isInteger(meta.config.maxDisparity)) throw new Error('missing stride or config');
    return meta;
  } catch (e) {
    throw new InvalidParameterError(`Graph '${graph.name}': '${NET_METADATA_KEY}' metadata is malformed (${(e as Error).message})`);
  }
}

/**
 * The contract for a network of the family.
 * @param meta - `{ stride, config }` of the network.
 * @param opts.size - `'dynamic'` (default) or the fixed `{ width, height }` of the graph.
 * @param opts.logits - whether the model has the `logits` output; default true.
 * @param opts.confidence - whether the model has the `confidence` output; default false (a network
 *   graph does not have it; `toInferenceModel` adds it).
 * @example const contract = stereoContract(readNetMetadata(graph), { size: 'dynamic' });
 */
export function stereoContract(
  meta: { stride: number; config: StereoNetConfig },
  opts: { size?: 'dynamic' | { width: number; height: number }; logits?: boolean; confidence?: boolean } = {},
): StereoModelContract {
  const size = opts.size ?? 'dynamic';
  const s = headScaleOf(meta.config);
  return {
    version: 1,
    inputs: { layout: 'pair', left: STEREO_NET_IO.left, right: STEREO_NET_IO.right },
    channels: 3,
    colorOrder: 'rgb',
    normalization: { scale: INPUT_NORMALIZATION.scale, mean: [...INPUT_NORMALIZATION.mean], std: [...INPUT_NORMALIZATION.std] },
    stride: meta.stride,
    padding: 'replicate',
    maxDisparity: meta.config.maxDisparity,
    size: size === 'dynamic' ? { dynamic: true } : { dynamic: false, width: size.width, height: size.height },
    outputs: {
      disparity: STEREO_NET_IO.disparity,
      ...((opts.logits ?? true) ? { logits: { name: STEREO_NET_IO.logits, downsample: s } } : {}),
      ...((opts.confidence ?? false) ? { confidence: { name: STEREO_NET_IO.confidence, downsample: s } } : {}),
    },
  };
}

/**
 * Makes the deployable inference graph of a network (the input graph is not modified).
 * @param graph - a network graph with its current weights (built, trained, or read from a checkpoint).
 * @param opts - see `StereoExportOptions`.
 * @returns a validated graph with inputs `left`, `right` and outputs `disparity` [, `logits`]
 *   [, `confidence`], BN folded, the contract in `metadata` under `CONTRACT_KEY`.
 * @throws InvalidParameterError when the graph is not a network of the family (no metadata), lacks
 *   the outputs, or (with `confidence`) has no softmax regression over its logits.
 * @throws GraphValidationError when the result does not validate.
 * @example const model = toInferenceModel(buildStudent({ height: 256, width: 512 }).graph);
 */
export function toInferenceModel(graph: Graph, opts: StereoExportOptions = {}): Graph {
  if (!is.plainObject(opts as unknown)) throw is.invalidParameterError('export options', 'an object', opts);
  const o = { ...DEFAULTS, ...opts };
  for (const k of ['logits', 'confidence', 'dynamic', 'foldBatchNorm'] as const) if (!is.bool(o[k])) throw is.invalidParameterError(k, 'a boolean', o[k]);
  const meta = readNetMetadata(graph);
  let source = graph;
  if (o.confidence) {
    // Added to a copy before pruning to the outputs, so the logits' softmax is still there to read.
    source = graph.clone({ shareTensors: true });
    addMaxProbability(source, STEREO_NET_IO.logits, STEREO_NET_IO.confidence);
  }
  const outputs = [STEREO_NET_IO.disparity, ...(o.logits ? [STEREO_NET_IO.logits] : []), ...(o.confidence ? [STEREO_NET_IO.confidence] : [])];
  const g = toInferenceGraph(source, { outputs, foldBatchNorm: o.foldBatchNorm });
  const [, , height, width] = g.staticShape(STEREO_NET_IO.left);
  if (o.dynamic) makeSizeSymbolic(g, meta.config);
  const size = o.dynamic ? 'dynamic' : { width: width!, height: height! };
  const contract = stereoContract(meta, { size, logits: o.logits, confidence: o.confidence });
  g.metadata.set(CONTRACT_KEY, JSON.stringify(contract));
  validateGraph(g);
  return g;
}

/**
 * Declares batch, H and W symbolic. The builders only use size-agnostic ops (Resize by scales,
 * Pads/Slices with relative bounds, Reshapes with 0/−1, the band index computed from Shape), so
 * re-inferring from symbolic inputs is all it takes; recorded intermediate shapes are dropped.
 */
function makeSizeSymbolic(g: Graph, cfg: StereoNetConfig): void {
  for (const name of [STEREO_NET_IO.left, STEREO_NET_IO.right]) g.setType(name, { dtype: 'float32', shape: ['N', 3, 'H', 'W'] });
  inferShapes(g, { strict: true, reset: true });
  const s = headScaleOf(cfg);
  g.setType(STEREO_NET_IO.disparity, { dtype: 'float32', shape: ['N', 1, 'H', 'W'] });
  if (g.isOutput(STEREO_NET_IO.logits)) g.setType(STEREO_NET_IO.logits, { dtype: 'float32', shape: ['N', cfg.maxDisparity / s, `H_${s}`, `W_${s}`] });
  if (g.isOutput(STEREO_NET_IO.confidence)) g.setType(STEREO_NET_IO.confidence, { dtype: 'float32', shape: ['N', 1, `H_${s}`, `W_${s}`] });
}

/**
 * Writes the inference model of a network to an ONNX file (atomically).
 * @param path - destination `.onnx` file; parent folders are created.
 * @param graph - the network graph (see `toInferenceModel`).
 * @param opts - see `StereoExportOptions`.
 * @returns the exported graph.
 * @throws InvalidParameterError / GraphValidationError as `toInferenceModel`.
 * @example await exportStereoModel('student.onnx', net.graph);
 */
export async function exportStereoModel(path: string, graph: Graph, opts: StereoExportOptions = {}): Promise<Graph> {
  is.assertString('path', path);
  const model = toInferenceModel(graph, opts);
  await writeOnnx(path, model);
  return model;
}
