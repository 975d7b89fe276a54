/**
 * ONNX model files ⇄ `Graph`. Loading accepts any ONNX model from opset 7 on (PyTorch exports
 * included: raw or typed initializer data, Constant nodes, value_info, omitted optional inputs,
 * symbolic dims), upgrades it to opset 20 and infers shapes where inputs allow. Saving writes
 * IR version 10 with opset 20.
 */
import { promises as fsp } from 'node:fs';
import { FileFormatError, FileNotFoundError } from '../errors.js';
import { writeFileAtomic } from '../fs/atomic.js';
import { assertString } from '../is.js';
import { DEFAULT_OPSET, Graph } from './graph.js';
import { inferShapes } from './infer.js';
import {
  attributeFromProto,
  attributeToProto,
  onnx,
  tensorFromProto,
  tensorToProto,
  toNum,
  typeFromProto,
  typeToProto,
  type IGraphProto,
} from './onnx-tensor.js';
import type { Attribute, GraphLike } from './types.js';
import { upgradeToOpset20 } from './upgrade.js';

/** The IR version written by `encodeOnnx`. */
export const IR_VERSION = 10;

/** Builds a Graph from a GraphProto (also used for If/Loop bodies). */
function graphFromProto(gp: IGraphProto): Graph {
  const g = new Graph(gp.name || 'graph');
  g.docString = gp.docString ?? '';
  if (gp.sparseInitializer?.length) throw new Error('sparse initializers are not supported');
  for (const tp of gp.initializer ?? []) {
    if (!tp.name) throw new Error('an initializer has no name');
    g.addInitializer(tp.name, tensorFromProto(tp, tp.name));
  }
  for (const vi of gp.input ?? []) {
    // Older exporters also list initializers as inputs; the initializer is what the model means.
    if (!vi.name || g.isInitializer(vi.name)) continue;
    const t = typeFromProto(vi.type, vi.name);
    if (!t) throw new Error(`graph input '${vi.name}' has no type`);
    g.addInput(vi.name, t);
  }
  (gp.node ?? []).forEach((np, i) => {
    const attributes: Record<string, Attribute> = {};
    for (const a of np.attribute ?? []) {
      if (!a.name) throw new Error(`node ${i} (${np.opType}) has an attribute without a name`);
      if (a.refAttrName) throw new Error(`node ${i} (${np.opType}) refers to a function attribute (functions are not supported)`);
      attributes[a.name] = attributeFromProto(a, graphFromProto);
    }
    const base = np.name || `${np.opType ?? 'node'}_${i}`;
    g.addNode({
      name: g.node(base) ? g.uniqueNodeName(base) : base,
      opType: np.opType ?? '',
      domain: np.domain ?? '',
      inputs: np.input ?? [],
      outputs: np.output ?? [],
      attributes,
      docString: np.docString || undefined,
    });
  });
  for (const vi of gp.valueInfo ?? []) {
    if (!vi.name || g.isInitializer(vi.name) || g.isInput(vi.name)) continue;
    try {
      const t = typeFromProto(vi.type, vi.name);
      if (t) g.setType(vi.name, t);
    } catch {
      // value_info is only a hint: a non-tensor or exotic entry is ignored rather than fatal.
    }
  }
  for (const vi of gp.output ?? []) {
    if (!vi.name) throw new Error('a graph output has no name');
    const t = g.isInitializer(vi.name) ? undefined : typeFromProto(vi.type, vi.name);
    g.addOutput(vi.name, t);
  }
  return g;
}

/**
 * Decodes ONNX model bytes into a Graph (upgraded to opset 20, shapes inferred leniently).
 * @param bytes the serialized ModelProto
 * @param source file name (or description) used in error messages; default `<buffer>`
 * @throws FileFormatError when the bytes are not an ONNX model, use external data, sparse
 *   tensors, model-local functions, non-tensor values or an opset older than 7
 * @example const g = decodeOnnx(await readFile('model.onnx'), 'model.onnx');
 */
export function decodeOnnx(bytes: Uint8Array, source = '<buffer>'): Graph {
  if (!(bytes instanceof Uint8Array)) throw new FileFormatError(source, 'expected the bytes of an ONNX model');
  if (bytes.length === 0) throw new FileFormatError(source, 'file is empty, not an ONNX model');
  let model: ReturnType<typeof onnx.ModelProto.decode>;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (e) {
    throw new FileFormatError(source, `not an ONNX model (protobuf decoding failed: ${(e as Error).message})`, { cause: e });
  }
  const ir = toNum(model.irVersion);
  if (!model.graph || ir < 3 || ir > 64 || (model.opsetImport ?? []).length === 0) {
    throw new FileFormatError(source, `not an ONNX model (ir_version ${ir}, ${model.graph ? 'graph present' : 'no graph'}, ${model.opsetImport?.length ?? 0} opset imports)`);
  }
  if (model.functions?.length) throw new FileFormatError(source, 'model-local functions are not supported; export without them (e.g. inline the functions)');
  try {
    const g = graphFromProto(model.graph);
    g.opsetImports.clear();
    for (const o of model.opsetImport ?? []) g.opsetImports.set(o.domain === 'ai.onnx' ? '' : (o.domain ?? ''), toNum(o.version));
    if (!g.opsetImports.has('')) g.opsetImports.set('', DEFAULT_OPSET);
    for (const p of model.metadataProps ?? []) if (p.key) g.metadata.set(p.key, p.value ?? '');
    g.info = {
      producerName: model.producerName ?? '',
      producerVersion: model.producerVersion ?? '',
      domain: model.domain ?? '',
      modelVersion: toNum(model.modelVersion),
      docString: model.docString ?? '',
    };
    // Old-opset shapes first (rules understand old attribute forms), so the upgrader knows ranks.
    inferShapes(g, { strict: false });
    if (g.opset < DEFAULT_OPSET) {
      upgradeToOpset20(g);
      inferShapes(g, { strict: false });
    }
    return g;
  } catch (e) {
    throw new FileFormatError(source, (e as Error).message, { cause: e });
  }
}

function graphToProto(g: Graph, topLevel: boolean): IGraphProto {
  const withType = (name: string): { name: string; type?: ReturnType<typeof typeToProto> } => {
    const t = g.type(name);
    return t ? { name, type: typeToProto(t) } : { name };
  };
  const writeSub = (s: GraphLike): IGraphProto => {
    if (!(s instanceof Graph)) throw new FileFormatError('<graph>', `subgraph '${s.name}' is not a Graph`);
    return graphToProto(s, false);
  };
  const listed = new Set([...g.inputs, ...g.outputs]);
  const valueInfo = g.nodes.flatMap((n) => n.outputs.filter((o) => o && !listed.has(o) && g.type(o)?.shape).map(withType));
  return {
    name: g.name,
    docString: g.docString || undefined,
    initializer: [...g.initializers].map(([name, t]) => tensorToProto(name, t)),
    input: g.inputs.map(withType),
    output: g.outputs.map(withType),
    valueInfo: topLevel ? valueInfo : [],
    node: g.nodes.map((n) => ({
      name: n.name,
      opType: n.opType,
      domain: n.domain,
      input: [...n.inputs],
      output: [...n.outputs],
      docString: n.docString,
      attribute: Object.entries(n.attributes).map(([k, a]) => attributeToProto(k, a, writeSub)),
    })),
  };
}

/**
 * Serializes a Graph as an ONNX model with IR version 10 and ai.onnx opset 20 (a graph built for
 * an older opset is upgraded on a copy first).
 * @param graph the graph to write (not modified)
 * @returns the ModelProto bytes
 * @example await writeFile('net.onnx', encodeOnnx(graph));
 */
export function encodeOnnx(graph: Graph): Uint8Array {
  let g = graph;
  if (graph.opset < DEFAULT_OPSET) {
    g = graph.clone({ shareTensors: true });
    upgradeToOpset20(g);
  }
  const opsets = [...g.opsetImports].map(([domain, version]) => ({ domain, version: domain ? version : DEFAULT_OPSET }));
  const model = onnx.ModelProto.create({
    irVersion: IR_VERSION,
    opsetImport: opsets,
    producerName: g.info.producerName,
    producerVersion: g.info.producerVersion,
    domain: g.info.domain,
    modelVersion: g.info.modelVersion,
    docString: g.info.docString,
    metadataProps: [...g.metadata].map(([key, value]) => ({ key, value })),
    graph: graphToProto(g, true),
  });
  return onnx.ModelProto.encode(model).finish();
}

/**
 * Reads an ONNX model file.
 * @param path the .onnx file
 * @throws FileNotFoundError when the file does not exist
 * @throws FileFormatError when it is not a readable ONNX model (see `decodeOnnx`)
 * @example const teacher = await readOnnx('teacher.onnx');
 */
export async function readOnnx(path: string): Promise<Graph> {
  assertString('path', path);
  let bytes: Uint8Array;
  try {
    bytes = await fsp.readFile(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new FileNotFoundError(path, 'ONNX model');
    throw new FileFormatError(path, `cannot read file (${(e as Error).message})`, { cause: e });
  }
  return decodeOnnx(bytes, path);
}

/**
 * Writes a Graph to an ONNX file atomically (temp file + rename).
 * @param path destination; parent folders are created
 * @param graph the graph to write
 * @example await writeOnnx('student.onnx', graph);
 */
export async function writeOnnx(path: string, graph: Graph): Promise<void> {
  assertString('path', path);
  await writeFileAtomic(path, encodeOnnx(graph));
}
