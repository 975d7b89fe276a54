/**
 * `stereo-sdk info MODEL`: what a model file is: its inputs and outputs, the stereo contract the
 * runtime will use (from metadata, or inferred, or why there is none), its parameter count and its
 * multiply-accumulates at a resolution (core's counter, on the tensor size the runtime would feed).
 */
import type { Command } from 'commander';
import { readFile } from 'node:fs/promises';
import { FileFormatError, FileNotFoundError, type Graph, type Tensor } from '@stereo-sdk/core';
import type { ModelContract, OnnxModelInfo, OnnxValueInfo } from '@stereo-sdk/edge-runtime';
import { writeJson } from '../report/json.js';
import { grouped, si } from '../report/table.js';
import type { ProgramIO } from '../program.js';
import { parseResolution, writeOutput, type Resolution } from './runtime-flags.js';

/** What `info` reports, also its `--json` shape. */
export interface ModelReport {
  model: string;
  bytes: number;
  irVersion: number;
  producer: string;
  opsets: { domain: string; version: number }[];
  inputs: OnnxValueInfo[];
  outputs: OnnxValueInfo[];
  /** The contract the runtime would use, or null with `contractProblem` saying why it cannot drive the model. */
  contract: ModelContract | null;
  contractOrigin: 'metadata' | 'inferred' | null;
  contractProblem?: string;
  /** Float parameters (BatchNormalization running statistics excluded); null when the graph could not be read. */
  params: number | null;
  /** Compute at `resolution`, or null with `costProblem` saying why it could not be counted. */
  cost: { width: number; height: number; tensorWidth: number; tensorHeight: number; macs: number; elementwise: number } | null;
  costProblem?: string;
}

const shapeText = (v: OnnxValueInfo): string => `${v.type} [${v.shape.length ? v.shape.join(',') : '?'}]`;

function contractLines(c: ModelContract): string[] {
  const inputs = c.inputs.layout === 'pair' ? `pair: left '${c.inputs.left}', right '${c.inputs.right}'` : `stacked: '${c.inputs.name}' (left channels first)`;
  const n = c.normalization;
  const norm = `(pixel01 × ${n.scale} − [${n.mean.join(', ')}]) / [${n.std.join(', ')}]`;
  const extra = (['logits', 'confidence'] as const).flatMap((k) => (c.outputs[k] ? [`${k} '${c.outputs[k].name}' at 1/${c.outputs[k].downsample}`] : []));
  const logits = extra.length > 0 ? `, ${extra.join(', ')}` : ', no logits (no confidence)';
  return [
    `  inputs: ${inputs}, ${c.channels} channel(s)${c.channels === 3 ? ` ${c.colorOrder}` : ''}`,
    `  normalization: ${norm}`,
    `  size: ${c.size.dynamic ? `any, padded to a multiple of ${c.stride} (${c.padding})` : `fixed ${c.size.width}x${c.size.height} (inputs are resized)`}`,
    `  outputs: disparity '${c.outputs.disparity}'${logits}`,
    ...(c.maxDisparity !== undefined ? [`  max disparity: ${c.maxDisparity} px`] : []),
  ];
}

/** The tensor size the runtime feeds for an input of `r`: padded to the stride, or the fixed size. */
function tensorSize(c: ModelContract, r: Resolution): { width: number; height: number } {
  if (!c.size.dynamic) return { width: c.size.width, height: c.size.height };
  return { width: Math.ceil(r.width / c.stride) * c.stride, height: Math.ceil(r.height / c.stride) * c.stride };
}

/**
 * Float parameters without counting MACs (which needs static shapes), BatchNormalization running
 * statistics excluded, as core's `countCost` counts them.
 */
function countParams(graph: Graph, isFloat: (dtype: Tensor['dtype']) => boolean): number {
  const stats = new Set(graph.nodes.filter((n) => n.opType === 'BatchNormalization').flatMap((n) => n.inputs.slice(3, 5)));
  let params = 0;
  for (const [name, t] of graph.initializers) if (isFloat(t.dtype) && !stats.has(name)) params += t.data.length;
  return params;
}

/**
 * Describes a model file.
 * @param model - path of an ONNX file.
 * @param resolution - input size for the MAC count.
 * @throws FileNotFoundError / FileFormatError for a missing file or one that is not ONNX.
 */
export async function describeModel(model: string, resolution: Resolution): Promise<ModelReport> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(model);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new FileNotFoundError(model, 'model');
    throw new FileFormatError(model, `cannot read model (${code ?? (err as Error).message})`, { cause: err });
  }
  const rt = await import('@stereo-sdk/edge-runtime');
  const info: OnnxModelInfo = rt.readOnnxModelInfo(bytes, model);
  const report: ModelReport = {
    model,
    bytes: bytes.length,
    irVersion: info.irVersion,
    producer: info.producerName,
    opsets: info.opsets,
    inputs: info.inputs,
    outputs: info.outputs,
    contract: null,
    contractOrigin: null,
    params: null,
    cost: null,
  };
  try {
    const { contract, origin } = rt.resolveContract(info, model);
    report.contract = contract;
    report.contractOrigin = origin;
  } catch (err) {
    if (!(err instanceof rt.ModelContractError)) throw err;
    report.contractProblem = err.message;
  }
  const core = await import('@stereo-sdk/core');
  let graph;
  try {
    graph = core.decodeOnnx(bytes, model);
  } catch (err) {
    report.costProblem = `core cannot read the graph: ${(err as Error).message}`;
    return report;
  }
  report.params = countParams(graph, core.isFloatDType);
  const c = report.contract;
  if (!c) {
    report.costProblem = 'no stereo contract, so the input size is unknown';
    return report;
  }
  const t = tensorSize(c, resolution);
  const shape = (ch: number) => [1, ch, t.height, t.width];
  const inputShapes = c.inputs.layout === 'pair' ? { [c.inputs.left]: shape(c.channels), [c.inputs.right]: shape(c.channels) } : { [c.inputs.name]: shape(2 * c.channels) };
  try {
    const cost = core.countCost(graph, { inputShapes });
    report.params = cost.params;
    const runSize = c.size.dynamic ? resolution : { width: c.size.width, height: c.size.height };
    report.cost = { width: runSize.width, height: runSize.height, tensorWidth: t.width, tensorHeight: t.height, macs: cost.macs, elementwise: cost.elementwise };
  } catch (err) {
    report.costProblem = (err as Error).message;
  }
  return report;
}

/** The report as the lines `info` prints. */
export function modelReportText(r: ModelReport): string {
  const ops = r.opsets.map((o) => `${o.domain || 'ai.onnx'} ${o.version}`).join(', ');
  const width = Math.max(...[...r.inputs, ...r.outputs].map((v) => v.name.length));
  const io = (v: OnnxValueInfo) => `  ${v.name.padEnd(width)}  ${shapeText(v)}`;
  const lines = [
    `model: ${r.model} (${(r.bytes / 1e6).toFixed(2)} MB, IR ${r.irVersion}, opset ${ops || '?'}${r.producer ? `, producer ${r.producer}` : ''})`,
    'inputs:',
    ...r.inputs.map(io),
    'outputs:',
    ...r.outputs.map(io),
  ];
  if (r.contract) lines.push(`contract (${r.contractOrigin === 'metadata' ? 'from the model metadata' : 'inferred from the inputs and outputs'}):`, ...contractLines(r.contract));
  else lines.push(`contract: none; the runtime cannot drive this model: ${r.contractProblem}`);
  lines.push(`parameters: ${r.params === null ? 'unknown' : `${grouped(r.params)} (${si(r.params)})`}`);
  if (r.cost) {
    const padded = r.cost.tensorWidth !== r.cost.width || r.cost.tensorHeight !== r.cost.height ? ` (tensor ${r.cost.tensorWidth}x${r.cost.tensorHeight})` : '';
    lines.push(
      `compute at ${r.cost.width}x${r.cost.height}${padded}: ${si(r.cost.macs)} multiply-accumulates (Conv/Gemm/MatMul), ` +
        `${si(r.cost.elementwise)} other element ops`,
    );
  } else {
    lines.push(`compute: not counted (${r.costProblem})`);
  }
  return lines.join('\n') + '\n';
}

interface InfoFlags {
  preset: string;
  json?: string;
}

/** Registers `stereo-sdk info MODEL`. */
export function registerInfoCommand(program: Command, io: ProgramIO): void {
  program
    .command('info')
    .description('Describe an ONNX model: inputs, outputs, stereo contract, parameters, multiply-accumulates at a resolution')
    .argument('<model>', 'ONNX model file')
    .option('--preset <size>', 'resolution for the compute count: kitti (1242x375), sceneflow (960x540) or WIDTHxHEIGHT', 'kitti')
    .option('--json <file>', 'also write the description as JSON')
    .action(async (model: string, flags: InfoFlags) => {
      const resolution = await parseResolution('--preset', flags.preset);
      const report = await describeModel(model, resolution);
      io.out(modelReportText(report));
      if (flags.json !== undefined) {
        const out = flags.json;
        await writeOutput(out, 'JSON report', () => writeJson(out, report));
        io.out(`wrote ${out}\n`);
      }
    });
}
