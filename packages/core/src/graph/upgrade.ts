/**
 * Rewrites nodes written for an older ai.onnx opset (7 and up) into their opset-20 form, so the
 * rest of the SDK (autodiff rules, pruning rules, the writer) sees a single variant of each op.
 * One entry per op type whose signature changed: attributes that became inputs, renamed ops,
 * changed defaults.
 */
import { attr, attrFloat, attrFloats, attrInt, attrInts } from './attributes.js';
import { GraphValidationError } from './errors.js';
import { DEFAULT_OPSET, type Graph } from './graph.js';
import { makeTensor } from './tensor.js';
import type { DType, Node, NodeSpec } from './types.js';

type UpgradeRule = (graph: Graph, node: Node, from: number) => void;

/** The lowest opset the upgrader accepts (PyTorch and tf2onnx export 7 and later). */
export const MIN_OPSET = 7;

/** Replaces `node` in place (same position and name) with a changed copy. */
function rewrite(graph: Graph, node: Node, change: Partial<NodeSpec>): Node {
  const next = graph.nodes[graph.nodeIndex(node) + 1];
  const spec: NodeSpec = { ...node, attributes: { ...node.attributes }, ...change };
  graph.removeNode(node);
  return graph.addNode(spec, next ? { before: next } : {});
}

/** Adds a constant initializer named after the node and returns its name. */
function constInput(graph: Graph, node: Node, what: string, dtype: DType, dims: number[], values: number[]): string {
  const name = graph.uniqueName(`${node.name}_${what}`);
  graph.addInitializer(name, makeTensor(dtype, dims, values));
  return name;
}

/** Moves an ints attribute to input `index` (padding skipped optional inputs with ''). */
function intsAttrToInput(name: string, index: number, since: number): UpgradeRule {
  return (graph, node, from) => {
    const v = attrInts(node, name);
    if (from >= since || v === undefined) return;
    const inputs = [...node.inputs];
    while (inputs.length < index) inputs.push('');
    inputs[index] = constInput(graph, node, name, 'int64', [v.length], [...v]);
    const attributes = { ...node.attributes };
    delete attributes[name];
    rewrite(graph, node, { inputs, attributes });
  };
}

function dropAttributes(...names: string[]): UpgradeRule {
  return (graph, node) => {
    if (!names.some((n) => n in node.attributes)) return;
    const attributes = { ...node.attributes };
    for (const n of names) delete attributes[n];
    rewrite(graph, node, { attributes });
  };
}

const inputDtype = (graph: Graph, node: Node): DType => graph.dtype(node.inputs[0]!) ?? 'float32';

const split: UpgradeRule = (graph, node, from) => {
  intsAttrToInput('split', 1, 13)(graph, node, from);
  const current = graph.node(node.name)!;
  // Split-18 needs either a 'split' input or num_outputs.
  if (!current.inputs[1] && attrInt(current, 'num_outputs') === undefined) {
    rewrite(graph, current, { attributes: { ...current.attributes, num_outputs: attr.int(current.outputs.length) } });
  }
};

const pad: UpgradeRule = (graph, node, from) => {
  if (from >= 11) return;
  const pads = attrInts(node, 'pads') ?? [];
  const value = attrFloat(node, 'value', 0);
  const attributes = { ...node.attributes };
  delete attributes['pads'];
  delete attributes['value'];
  const inputs = [node.inputs[0]!, constInput(graph, node, 'pads', 'int64', [pads.length], [...pads])];
  if (value !== 0) inputs.push(constInput(graph, node, 'value', inputDtype(graph, node), [], [value]));
  rewrite(graph, node, { inputs, attributes });
};

const slice: UpgradeRule = (graph, node, from) => {
  if (from >= 10) return;
  const starts = attrInts(node, 'starts') ?? [];
  const ends = attrInts(node, 'ends') ?? [];
  const axes = attrInts(node, 'axes');
  const inputs = [
    node.inputs[0]!,
    constInput(graph, node, 'starts', 'int64', [starts.length], [...starts]),
    constInput(graph, node, 'ends', 'int64', [ends.length], [...ends]),
  ];
  if (axes) inputs.push(constInput(graph, node, 'axes', 'int64', [axes.length], [...axes]));
  rewrite(graph, node, { inputs, attributes: {} });
};

const clip: UpgradeRule = (graph, node, from) => {
  if (from >= 11) return;
  const dtype = inputDtype(graph, node);
  const min = attrFloat(node, 'min');
  const max = attrFloat(node, 'max');
  const inputs = [node.inputs[0]!, min === undefined ? '' : constInput(graph, node, 'min', dtype, [], [min])];
  if (max !== undefined) inputs.push(constInput(graph, node, 'max', dtype, [], [max]));
  rewrite(graph, node, { inputs, attributes: {} });
};

/** Upsample (and Resize-10) had asymmetric coordinates and floor rounding for nearest. */
function legacyResizeAttributes(node: Node): NodeSpec['attributes'] {
  const mode = node.attributes['mode']?.type === 'string' ? (node.attributes['mode'].value as string) : 'nearest';
  return {
    mode: attr.string(mode === 'bilinear' ? 'linear' : mode),
    coordinate_transformation_mode: attr.string('asymmetric'),
    nearest_mode: attr.string('floor'),
  };
}

const upsample: UpgradeRule = (graph, node) => {
  const scales = attrFloats(node, 'scales');
  const scaleInput = scales ? constInput(graph, node, 'scales', 'float32', [scales.length], [...scales]) : node.inputs[1]!;
  rewrite(graph, node, { opType: 'Resize', inputs: [node.inputs[0]!, '', scaleInput], attributes: legacyResizeAttributes(node) });
};

const resize: UpgradeRule = (graph, node, from) => {
  if (from >= 11) return;
  rewrite(graph, node, { inputs: [node.inputs[0]!, '', node.inputs[1]!], attributes: legacyResizeAttributes(node) });
};

/**
 * Before opset 13, Softmax flattened the input to 2-D at `axis` (default 1). When that is not the
 * last axis, express the old semantics as Flatten → Softmax → Reshape back.
 */
const softmax: UpgradeRule = (graph, node, from) => {
  if (from >= 13) return;
  const axis = attrInt(node, 'axis', 1);
  const rank = graph.shape(node.inputs[0]!)?.length;
  if (rank !== undefined && (axis === -1 || axis === rank - 1)) {
    rewrite(graph, node, { attributes: { axis: attr.int(-1) } });
    return;
  }
  const x = node.inputs[0]!;
  const flat = graph.uniqueName(`${node.name}_flat`);
  const soft = graph.uniqueName(`${node.name}_2d`);
  const shape = graph.uniqueName(`${node.name}_shape`);
  graph.addNode({ opType: 'Shape', inputs: [x], outputs: [shape], name: graph.uniqueNodeName(`${node.name}_shape`) }, { before: node });
  graph.addNode({ opType: 'Flatten', inputs: [x], outputs: [flat], attributes: { axis: attr.int(axis) }, name: graph.uniqueNodeName(`${node.name}_flatten`) }, { before: node });
  rewrite(graph, node, { inputs: [flat], outputs: [soft], attributes: { axis: attr.int(-1) } });
  graph.addNode({ opType: 'Reshape', inputs: [soft, shape], outputs: [...node.outputs], name: graph.uniqueNodeName(`${node.name}_reshape`) });
};

const topK: UpgradeRule = (graph, node, from) => {
  if (from >= 10) return;
  const k = attrInt(node, 'k', 1);
  rewrite(graph, node, { inputs: [node.inputs[0]!, constInput(graph, node, 'k', 'int64', [1], [k])], attributes: { axis: attr.int(attrInt(node, 'axis', -1)) } });
};

const REDUCE_18 = ['ReduceMean', 'ReduceMax', 'ReduceMin', 'ReduceProd', 'ReduceL1', 'ReduceL2', 'ReduceLogSum', 'ReduceLogSumExp', 'ReduceSumSquare'];

/** Upgrade rules by op type. */
export const upgradeRules: Record<string, UpgradeRule> = {
  Squeeze: intsAttrToInput('axes', 1, 13),
  Unsqueeze: intsAttrToInput('axes', 1, 13),
  ReduceSum: intsAttrToInput('axes', 1, 13),
  ...Object.fromEntries(REDUCE_18.map((op) => [op, intsAttrToInput('axes', 1, 18)])),
  Split: split,
  Pad: pad,
  Slice: slice,
  Clip: clip,
  Upsample: upsample,
  Resize: resize,
  Softmax: softmax,
  LogSoftmax: softmax,
  Hardmax: softmax,
  TopK: topK,
  Dropout: dropAttributes('ratio', 'is_test'),
  BatchNormalization: dropAttributes('spatial', 'is_test', 'consumed_inputs'),
  Gemm: dropAttributes('broadcast'),
  Scatter: (graph, node) => void rewrite(graph, node, { opType: 'ScatterElements' }),
};

/**
 * Upgrades every ai.onnx node of `graph` to opset 20 in place and sets the opset import.
 * Shapes recorded in the graph help (Softmax needs the input rank to stay a single node).
 * @throws GraphValidationError when the graph's opset is below 7
 */
export function upgradeToOpset20(graph: Graph): void {
  const from = graph.opset;
  if (from >= DEFAULT_OPSET) return;
  if (from < MIN_OPSET) throw new GraphValidationError(`ai.onnx opset ${from} is older than ${MIN_OPSET}, the oldest this SDK reads`);
  for (const node of [...graph.nodes]) {
    if (!node.domain) upgradeRules[node.opType]?.(graph, node, from);
  }
  graph.opsetImports.set('', DEFAULT_OPSET);
  graph.sortTopologically();
}
