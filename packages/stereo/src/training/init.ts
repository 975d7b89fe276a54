/**
 * Starting a run from an existing model (`init`): any stereo network graph with inputs `left`,
 * `right` and outputs `disparity` and `logits` (an exported student, a pruned one of any channel
 * widths, or a network graph in memory) is brought back to a trainable network graph of the run's
 * batch and crop size, so training works from the graph itself rather than from a config.
 *
 * An exported model has BN folded into its convolutions. It is trained as it is (the folded conv
 * weights and biases are the parameters): re-inserting BN would make training-mode BN normalize
 * with batch statistics instead of the folded ones, changing the network's function at the first
 * step and throwing away the warm start. A graph that still has BN nodes keeps them (trained as BN).
 */
import { FileFormatError, InvalidParameterError, Graph, inferShapes, is, readOnnx, toInferenceGraph, validateGraph } from '@stereo-sdk/core';
import { DEFAULT_HEAD_SCALE, headScaleOf, resolveNetConfig, STUDENT_CONFIG } from '../nets/config.js';
import { CONTRACT_KEY } from '../nets/export.js';
import { NET_METADATA_KEY, STEREO_NET_IO, type NetMetadata, type StereoNetKind } from '../nets/network.js';

/** What a run needs to know about its network. */
export interface NetworkFacts {
  readonly kind: StereoNetKind;
  /** Input height and width must be multiples of this. */
  readonly stride: number;
  /** Largest disparity in full-resolution pixels (the logits cover [0, maxDisparity)). */
  readonly maxDisparity: number;
  /** Resolution of the logits: 4 or 8 (the config's `headScale`). */
  readonly headScale: number;
}

/** Where an `init` model comes from: a file path, or a graph in memory. */
export type InitSource = string | Graph;

/** How a run config records an `init` model (a path, or a label for an in-memory graph). */
export function describeInit(init: InitSource): string {
  return typeof init === 'string' ? init : `<in-memory graph '${init.name}'>`;
}

/** True when a recorded init names an in-memory graph (which cannot be re-read on resume). */
export const isInMemoryInit = (recorded: string): boolean => recorded.startsWith('<in-memory graph');

/**
 * The stride, disparity range and kind of a network graph, from the builder's metadata or, for a
 * model without it, from its model contract.
 * @param graph - a network, inference model or checkpoint graph
 * @param source - file name for the error message
 * @throws FileFormatError when the graph carries neither record
 * @example const { stride, maxDisparity } = networkFacts(await readOnnx('student.onnx'));
 */
export function networkFacts(graph: Graph, source = `graph '${graph.name}'`): NetworkFacts {
  const net = graph.metadata.get(NET_METADATA_KEY);
  if (net !== undefined) {
    try {
      const meta = JSON.parse(net) as NetMetadata;
      if (Number.isInteger(meta.stride) && Number.isInteger(meta.config?.maxDisparity)) {
        return { kind: meta.kind === 'teacher' ? 'teacher' : 'student', stride: meta.stride, maxDisparity: meta.config.maxDisparity, headScale: headScaleOf(meta.config) };
      }
    } catch {
      // Fall through to the contract.
    }
  }
  const contract = graph.metadata.get(CONTRACT_KEY);
  if (contract !== undefined) {
    try {
      const c = JSON.parse(contract) as { stride?: unknown; maxDisparity?: unknown; outputs?: { logits?: { downsample?: unknown } } };
      const downsample = c.outputs?.logits?.downsample;
      const headScale = Number.isInteger(downsample) ? (downsample as number) : DEFAULT_HEAD_SCALE;
      if (Number.isInteger(c.stride) && Number.isInteger(c.maxDisparity)) return { kind: 'student', stride: c.stride as number, maxDisparity: c.maxDisparity as number, headScale };
    } catch {
      // Reported below.
    }
  }
  throw new FileFormatError(source, `has no usable '${NET_METADATA_KEY}' or '${CONTRACT_KEY}' metadata (stride and maxDisparity); train from a model exported by stereo-sdk`);
}

/**
 * Reads an `init` model from a file, or passes a graph through.
 * @throws FileNotFoundError / FileFormatError when the file is missing or not ONNX
 */
export async function loadInitGraph(init: InitSource): Promise<Graph> {
  if (init instanceof Graph) return init;
  is.assertString('init', init);
  return readOnnx(init);
}

/**
 * Turns a stereo model into a trainable network graph of a fixed batch and input size: keeps the
 * `disparity` and `logits` outputs (dropping `confidence` and training leftovers), declares the
 * inputs `[batch, 3, height, width]` and re-infers every shape, and makes sure the graph carries the
 * metadata the exporter needs (a model with only a contract gets a builder record of its stride and
 * disparity range; the record's widths are not used, so any channel widths work).
 * @param init - the model (not modified)
 * @param size - batch and input size (multiples of the network's stride)
 * @param source - file name for error messages
 * @returns the network graph and its facts
 * @throws FileFormatError when the model is not a stereo network of this kind (inputs, outputs, metadata)
 * @throws InvalidParameterError when the size is not a multiple of the stride
 * @example const { graph } = prepareInitNetwork(await readOnnx('student.onnx'), { batch: 4, height: 256, width: 512 });
 */
export function prepareInitNetwork(init: Graph, size: { batch: number; height: number; width: number }, source = describeInit(init)): { graph: Graph; facts: NetworkFacts } {
  const { disparity, logits, left, right } = STEREO_NET_IO;
  for (const name of [disparity, logits]) {
    if (!init.isOutput(name)) {
      throw new FileFormatError(source, `has no '${name}' output (outputs: ${init.outputs.join(', ') || 'none'}); an init model must be a stereo network exported with its logits (inputs left, right; outputs disparity, logits)`);
    }
  }
  const facts = networkFacts(init, source);
  if (size.height % facts.stride !== 0 || size.width % facts.stride !== 0) {
    throw new InvalidParameterError(`crop ${size.height}x${size.width} (HxW) must be a multiple of the init model's stride ${facts.stride}`);
  }
  const g = toInferenceGraph(init, { outputs: [disparity, logits], foldBatchNorm: false });
  const inputs = [...g.inputs].sort();
  if (inputs.join() !== [left, right].sort().join()) {
    throw new FileFormatError(source, `has inputs ${g.inputs.join(', ')}; an init model must take exactly 'left' and 'right' [N, 3, H, W]`);
  }
  for (const name of [left, right]) g.setType(name, { dtype: 'float32', shape: [size.batch, 3, size.height, size.width] });
  for (const node of g.nodes) for (const o of node.outputs) if (o) g.clearType(o);
  try {
    inferShapes(g, { strict: true, reset: true });
    validateGraph(g);
  } catch (e) {
    throw new FileFormatError(source, `does not re-shape to a ${size.batch}x3x${size.height}x${size.width} input (${(e as Error).message})`, { cause: e });
  }
  if (!g.metadata.has(NET_METADATA_KEY)) {
    const meta: NetMetadata = { kind: facts.kind, stride: facts.stride, config: resolveNetConfig(STUDENT_CONFIG, { maxDisparity: facts.maxDisparity, headScale: facts.headScale as 4 | 8 }) };
    g.metadata.set(NET_METADATA_KEY, JSON.stringify(meta));
  }
  g.metadata.delete(CONTRACT_KEY);
  return { graph: g, facts };
}
