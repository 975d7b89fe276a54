/**
 * Folding inference-mode BatchNormalization into the Conv, ConvTranspose or Gemm before it:
 * `BN(conv(x)) = conv'(x)` with `W'[o] = W[o]·s[o]`, `b'[o] = b[o]·s[o] + β[o] − μ[o]·s[o]`,
 * `s = γ / √(σ² + ε)`. The arithmetic runs in float64 and rounds once to float32, so the folded
 * graph differs from the unfolded one by float32 rounding only.
 */
import { attr, attrFloat, attrInt } from '../graph/attributes.js';
import type { Graph } from '../graph/graph.js';
import { findConvBnPairs, type ConvBnPair } from '../graph/builder/modules.js';
import { makeTensor, numel } from '../graph/tensor.js';
import type { Node, Tensor } from '../graph/types.js';

const values = (t: Tensor): Float64Array => Float64Array.from(t.data as Float32Array);

/** Per-output-channel scale and shift of a BN node, or undefined when its params are not float32 [C]. */
function affine(graph: Graph, bn: Node): { scale: Float64Array; shift: Float64Array } | undefined {
  const ts = bn.inputs.slice(1, 5).map((v) => graph.initializer(v));
  if (ts.some((t) => !t || t.dtype !== 'float32' || t.dims.length !== 1)) return undefined;
  const [gamma, beta, mean, variance] = ts.map((t) => values(t!)) as [Float64Array, Float64Array, Float64Array, Float64Array];
  const c = gamma.length;
  if (![beta, mean, variance].every((a) => a.length === c)) return undefined;
  const eps = attrFloat(bn, 'epsilon', 1e-5);
  const scale = new Float64Array(c);
  const shift = new Float64Array(c);
  for (let i = 0; i < c; i++) {
    scale[i] = gamma[i]! / Math.sqrt(variance[i]! + eps);
    shift[i] = beta[i]! - mean[i]! * scale[i]!;
  }
  return { scale, shift };
}

/** For each weight element, the output channel it feeds; undefined when the layout is unsupported. */
function outputChannelOf(conv: Node, w: Tensor, channels: number): ((index: number) => number) | undefined {
  const d = w.dims;
  const inner = numel(d.slice(2));
  if (conv.opType === 'Conv') return d[0] === channels ? (i) => Math.floor(i / (d[1]! * inner)) : undefined;
  if (conv.opType === 'ConvTranspose') {
    // Weight [C_in, C_out/group, k...]: input channel i belongs to group i / (C_in/group).
    const group = attrInt(conv, 'group', 1);
    const perGroupOut = d[1]!;
    if (perGroupOut * group !== channels) return undefined;
    const perGroupIn = d[0]! / group;
    return (i) => {
      const row = Math.floor(i / (perGroupOut * inner));
      const col = Math.floor(i / inner) % perGroupOut;
      return Math.floor(row / perGroupIn) * perGroupOut + col;
    };
  }
  // Gemm: B is [N, K] with transB, else [K, N].
  if (d.length !== 2) return undefined;
  if (attrInt(conv, 'transB', 0)) return d[0] === channels ? (i) => Math.floor(i / d[1]!) : undefined;
  return d[1] === channels ? (i) => i % channels : undefined;
}

/** Existing bias of the layer as float64 per output channel (Gemm: times beta), or zeros. */
function biasOf(graph: Graph, conv: Node, channels: number): Float64Array | undefined {
  const name = conv.inputs[2];
  if (!name) return new Float64Array(channels);
  const t = graph.initializer(name);
  if (!t || t.dtype !== 'float32' || numel(t.dims) !== channels) return undefined;
  if (conv.opType === 'Gemm' && t.dims.length === 2 && t.dims[0] !== 1) return undefined;
  const b = values(t);
  const beta = conv.opType === 'Gemm' ? attrFloat(conv, 'beta', 1) : 1;
  return b.map((v) => v * beta);
}

/** Stores `t` as the initializer read at `node.inputs[index]`, copying when others share it. */
function storeInput(graph: Graph, node: Node, index: number, t: Tensor, fallbackName: string): void {
  const current = node.inputs[index];
  if (current && graph.isInitializer(current) && graph.uses(current).length === 1) {
    graph.setInitializer(current, t);
    return;
  }
  const name = graph.uniqueName(current ? `${current}_folded` : fallbackName);
  graph.addInitializer(name, t);
  if (index < node.inputs.length) graph.setNodeInput(node, index, name);
  else graph.setNodeInputs(node, [...node.inputs, name]);
}

function foldPair(graph: Graph, { conv, bn }: ConvBnPair): boolean {
  const ab = affine(graph, bn);
  const w = graph.initializer(conv.inputs[1]!);
  if (!ab || !w || w.dtype !== 'float32') return false;
  const channels = ab.scale.length;
  const channelOf = outputChannelOf(conv, w, channels);
  const bias = biasOf(graph, conv, channels);
  if (!channelOf || !bias) return false;

  const src = w.data as Float32Array;
  const folded = new Float32Array(src.length);
  for (let i = 0; i < src.length; i++) folded[i] = src[i]! * ab.scale[channelOf(i)]!;
  const newBias = new Float32Array(channels);
  for (let c = 0; c < channels; c++) newBias[c] = bias[c]! * ab.scale[c]! + ab.shift[c]!;

  const weightName = conv.inputs[1]!;
  const y = bn.outputs[0]!;
  const yType = graph.type(y);
  const bnInputs = bn.inputs.slice(1);
  graph.removeNode(bn);
  storeInput(graph, conv, 1, makeTensor('float32', w.dims, folded), `${conv.name}.weight`);
  const biasName = /(^|\.)weight$/.test(weightName) ? weightName.replace(/weight$/, 'bias') : `${weightName}_bias`;
  storeInput(graph, conv, 2, makeTensor('float32', [channels], newBias), biasName);
  // Re-create the layer so it writes the BN's output name (graph outputs keep their names).
  const at = graph.nodeIndex(conv);
  graph.removeNode(conv);
  const attributes = { ...conv.attributes };
  if (conv.opType === 'Gemm') attributes['beta'] = attr.float(1);
  const next = graph.nodes[at];
  graph.addNode({ name: conv.name, opType: conv.opType, domain: conv.domain, inputs: conv.inputs, outputs: [y], attributes, docString: conv.docString }, next ? { before: next } : {});
  if (yType) graph.setType(y, yType);
  for (const v of bnInputs) if (v && graph.isInitializer(v) && graph.uses(v).length === 0) graph.removeInitializer(v);
  return true;
}

/**
 * Folds every foldable Conv/ConvTranspose/Gemm → BatchNormalization pair of `graph` in place (see
 * `findConvBnPairs`). Layers without a bias get one; weights shared with other nodes are copied
 * rather than changed. Pairs whose layouts are not understood are left as they are.
 * @param graph any graph with inference-mode BN nodes
 * @returns the number of BN nodes folded away
 * @example const n = foldBatchNorm(graph); // graph now has n fewer BatchNormalization nodes
 */
export function foldBatchNorm(graph: Graph): number {
  let folded = 0;
  for (const pair of findConvBnPairs(graph)) if (foldPair(graph, pair)) folded++;
  return folded;
}
