/**
 * ONNX I/O: round trips, models "made elsewhere" (written with onnx-proto directly, old opsets,
 * raw_data and typed initializers), legacy-op upgrades checked against ORT, and bad files.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import onnxProto from 'onnx-proto';
import { afterAll, describe, expect, it } from 'vitest';
import { createSession } from '../../src/backend/index.js';
import { FileFormatError, FileNotFoundError } from '../../src/errors.js';
import { decodeOnnx, encodeOnnx, GraphBuilder, readOnnx, validateGraph, writeOnnx, type Tensor } from '../../src/graph/index.js';
import { createRng, maxAbsDiff, randomTensor, runGraph } from './helpers.js';

const { onnx } = onnxProto;
const tmp = mkdtempSync(join(tmpdir(), 'onnx-io-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

type Vi = [name: string, dims: (number | string)[], elemType?: number];
const vi = ([name, dims, elemType = 1]: Vi) => ({
  name,
  type: { tensorType: { elemType, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } },
});
const rawF32 = (name: string, dims: number[], values: number[]) => ({ name, dims, dataType: 1, rawData: new Uint8Array(new Float32Array(values).buffer) });
const rawI64 = (name: string, values: number[]) => ({ name, dims: [values.length], dataType: 7, rawData: new Uint8Array(new BigInt64Array(values.map(BigInt)).buffer) });
const ints = (name: string, v: number[]) => ({ name, type: 7, ints: v });
const int = (name: string, v: number) => ({ name, type: 2, i: v });
const float = (name: string, v: number) => ({ name, type: 1, f: v });
const str = (name: string, v: string) => ({ name, type: 3, s: new TextEncoder().encode(v) });

/** Encodes a model the way another tool would, straight from onnx-proto messages. */
function protoModel(opts: { opset: number; ir?: number; nodes: object[]; inputs: Vi[]; outputs: Vi[]; initializer?: object[]; valueInfo?: Vi[]; inputsAlsoInit?: Vi[] }): Uint8Array {
  return onnx.ModelProto.encode({
    irVersion: opts.ir ?? 6,
    producerName: 'handwritten',
    opsetImport: [{ domain: '', version: opts.opset }],
    metadataProps: [{ key: 'origin', value: 'test' }],
    graph: {
      name: 'g',
      node: opts.nodes,
      input: [...opts.inputs, ...(opts.inputsAlsoInit ?? [])].map(vi),
      output: opts.outputs.map(vi),
      initializer: opts.initializer ?? [],
      valueInfo: (opts.valueInfo ?? []).map(vi),
    },
  }).finish();
}

async function runBytes(bytes: Uint8Array, feeds: Record<string, Tensor>): Promise<Record<string, Float64Array>> {
  const s = await createSession(bytes, { threads: 1 });
  const out = await s.run(Object.fromEntries(Object.entries(feeds).map(([k, t]) => [k, { type: t.dtype, dims: t.dims, data: t.data }])));
  await s.release();
  return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, Float64Array.from(v.data as ArrayLike<number>, Number)]));
}

describe('ONNX round trip', () => {
  it('load → save → load preserves the graph, metadata and outputs', async () => {
    const b = new GraphBuilder({ seed: 4 });
    const x = b.input('x', 'float32', ['batch', 3, 10, 10]);
    const y = b.scope('net', () => b.softmax(b.resize(b.relu(b.batchNorm(b.conv(x, 5, { stride: 2, padding: 1 }))), { scales: [1, 1, 2, 2] }), 1));
    b.output(y, 'prob');
    const g = b.build();
    g.metadata.set('stereo-sdk.contract', '{"maxDisparity":192}');
    const path = join(tmp, 'round.onnx');
    await writeOnnx(path, g);
    const back = await readOnnx(path);
    expect(back.metadata.get('stereo-sdk.contract')).toBe('{"maxDisparity":192}');
    expect(back.opset).toBe(20);
    expect(back.nodes.map((n) => [n.name, n.opType, n.inputs, n.outputs])).toEqual(g.nodes.map((n) => [n.name, n.opType, n.inputs, n.outputs]));
    expect(back.nodes.map((n) => n.attributes)).toEqual(g.nodes.map((n) => n.attributes));
    expect([...back.initializers.keys()]).toEqual([...g.initializers.keys()]);
    for (const [k, t] of g.initializers) expect(back.initializer(k)).toEqual(t);
    expect(back.type('x')).toEqual({ dtype: 'float32', shape: ['batch', 3, 10, 10] });
    expect(back.type('prob')).toEqual(g.type('prob'));
    expect(encodeOnnx(back)).toEqual(encodeOnnx(g));
    const proto = onnx.ModelProto.decode(encodeOnnx(g));
    expect(Number(proto.irVersion)).toBe(10);
    expect(proto.opsetImport.map((o) => [o.domain, Number(o.version)])).toEqual([['', 20]]);
    validateGraph(back);
    const feeds = { x: randomTensor(createRng(1), 'float32', [2, 3, 10, 10]) };
    const [a, c] = [await runGraph(g, feeds), await runGraph(back, feeds)];
    expect(c['prob']!.dims).toEqual([2, 5, 10, 10]);
    expect(c['prob']!.data).toEqual(a['prob']!.data);
  });
});

describe('models made elsewhere', () => {
  // Opset 11 with raw_data and typed initializers, an initializer also listed as input, attribute
  // axes (Squeeze/Unsqueeze/ReduceSum), a Constant, an omitted optional input, value_info, a
  // symbolic batch dim, a PyTorch-style Shape→Gather→Unsqueeze→Concat→Reshape chain and
  // Softmax with the pre-13 flattening semantics.
  const bytes = protoModel({
    opset: 11,
    inputs: [['x', ['batch', 2, 3, 4]]],
    inputsAlsoInit: [['w', [2]]],
    outputs: [['y', ['batch', 4]], ['z', ['batch', 2, 3, 4]], ['flat', ['batch', 24]]],
    valueInfo: [['sq', ['batch', 2, 3, 4]]],
    initializer: [
      rawF32('w', [2], [0.5, -2]),
      { name: 'bias', dims: [1, 2, 1, 1], dataType: 1, floatData: [0.25, -0.75] },
      { name: 'zero', dims: [1], dataType: 7, int64Data: [0] },
      rawI64('minus1', [-1]),
    ],
    nodes: [
      { opType: 'Unsqueeze', input: ['w'], output: ['w4'], attribute: [ints('axes', [0, 2, 3])] },
      { opType: 'Mul', input: ['x', 'w4'], output: ['xw'] },
      { opType: 'Add', input: ['xw', 'bias'], output: ['xb'] },
      { opType: 'Constant', input: [], output: ['hi'], attribute: [{ name: 'value', type: 4, t: rawF32('', [], [1.5]) }] },
      { opType: 'Clip', input: ['xb', '', 'hi'], output: ['clipped'] },
      { opType: 'Unsqueeze', input: ['clipped'], output: ['u'], attribute: [ints('axes', [1])] },
      { opType: 'Squeeze', input: ['u'], output: ['sq'], attribute: [ints('axes', [1])] },
      { opType: 'ReduceSum', input: ['sq'], output: ['y3'], attribute: [ints('axes', [1, 2]), int('keepdims', 0)] },
      { opType: 'Softmax', input: ['sq'], output: ['z'], attribute: [int('axis', 1)] },
      { opType: 'Shape', input: ['sq'], output: ['s'] },
      { opType: 'Gather', input: ['s', 'zero'], output: ['n'], attribute: [int('axis', 0)] },
      { opType: 'Concat', input: ['n', 'minus1'], output: ['target'], attribute: [int('axis', 0)] },
      { opType: 'Reshape', input: ['sq', 'target'], output: ['flat'] },
      { opType: 'Identity', input: ['y3'], output: ['y'] },
    ],
  });

  it('loads, upgrades to opset 20, infers shapes and runs like the original', async () => {
    const g = decodeOnnx(bytes, 'handwritten.onnx');
    expect(g.opset).toBe(20);
    expect(g.inputs).toEqual(['x']);
    expect(g.metadata.get('origin')).toBe('test');
    expect(g.initializer('bias')!.data).toEqual(new Float32Array([0.25, -0.75]));
    expect(g.initializer('minus1')!.data).toEqual(new BigInt64Array([-1n]));
    const squeeze = g.nodes.find((n) => n.opType === 'Squeeze')!;
    expect(squeeze.attributes).toEqual({});
    expect(g.initializer(squeeze.inputs[1]!)!.data).toEqual(new BigInt64Array([1n]));
    expect(g.shape('y3')).toEqual(['batch', 4]);
    // The Reshape target is not constant with a symbolic batch; the file's declared output fills in 24.
    expect(g.shape('flat')).toEqual(['batch', 24]);
    expect(g.nodes.filter((n) => n.opType === 'Softmax').map((n) => n.attributes['axis'])).toEqual([{ type: 'int', value: -1 }]);
    validateGraph(g);

    const x = randomTensor(createRng(3), 'float32', [2, 2, 3, 4]);
    const original = await runBytes(bytes, { x });
    const upgraded = await runBytes(encodeOnnx(g), { x });
    for (const k of ['y', 'z', 'flat']) expect(maxAbsDiff(upgraded[k]!, original[k]!)).toBeLessThan(1e-6);

    // With a static batch, the Shape→Gather→Concat chain folds to a static Reshape target.
    g.setType('x', { dtype: 'float32', shape: [2, 2, 3, 4] });
    for (const n of g.nodes) for (const o of n.outputs) g.clearType(o);
    const { inferShapes } = await import('../../src/graph/index.js');
    inferShapes(g);
    expect(g.shape('flat')).toEqual([2, 24]);
  });

  const legacy: [string, number, object[], Vi[], Vi[], object[]][] = [
    ['Upsample-9 nearest', 9, [{ opType: 'Upsample', input: ['x', 'sc'], output: ['y'], attribute: [str('mode', 'nearest')] }], [['x', [1, 2, 3, 5]]], [['y', [1, 2, 6, 15]]], [rawF32('sc', [4], [1, 1, 2, 3])]],
    ['Upsample-9 linear', 9, [{ opType: 'Upsample', input: ['x', 'sc'], output: ['y'], attribute: [str('mode', 'linear')] }], [['x', [1, 2, 3, 5]]], [['y', [1, 2, 6, 10]]], [rawF32('sc', [4], [1, 1, 2, 2])]],
    ['Upsample-7 attr', 7, [{ opType: 'Upsample', input: ['x'], output: ['y'], attribute: [str('mode', 'nearest'), { name: 'scales', type: 6, floats: [1, 1, 2, 2] }] }], [['x', [1, 1, 3, 3]]], [['y', [1, 1, 6, 6]]], []],
    ['Resize-10 linear', 10, [{ opType: 'Resize', input: ['x', 'sc'], output: ['y'], attribute: [str('mode', 'linear')] }], [['x', [1, 2, 4, 5]]], [['y', [1, 2, 8, 10]]], [rawF32('sc', [4], [1, 1, 2, 2])]],
    ['Slice-9 attrs', 9, [{ opType: 'Slice', input: ['x'], output: ['y'], attribute: [ints('starts', [1, -1]), ints('ends', [3, -4]), ints('axes', [1, 2])] }], [['x', [2, 4, 5]]], [['y', [2, 2, 0]]], []],
    ['Pad-9 attrs', 9, [{ opType: 'Pad', input: ['x'], output: ['y'], attribute: [ints('pads', [0, 1, 2, 0, 2, 1]), float('value', 1.5)] }], [['x', [2, 3, 4]]], [['y', [2, 6, 7]]], []],
    ['Clip-6 attrs', 9, [{ opType: 'Clip', input: ['x'], output: ['y'], attribute: [float('min', -0.2), float('max', 0.3)] }], [['x', [3, 4]]], [['y', [3, 4]]], []],
    ['Split-11 attr', 11, [{ opType: 'Split', input: ['x'], output: ['y', 'y2'], attribute: [int('axis', 1), ints('split', [1, 3])] }], [['x', [2, 4]]], [['y', [2, 1]], ['y2', [2, 3]]], []],
    ['Split-11 equal', 11, [{ opType: 'Split', input: ['x'], output: ['y', 'y2'], attribute: [int('axis', 1)] }], [['x', [2, 4]]], [['y', [2, 2]], ['y2', [2, 2]]], []],
    ['ReduceMean-11 attr', 11, [{ opType: 'ReduceMean', input: ['x'], output: ['y'], attribute: [ints('axes', [-1])] }], [['x', [2, 3, 4]]], [['y', [2, 3, 1]]], []],
    ['Softmax-11 axis 1 of 3-D', 11, [{ opType: 'Softmax', input: ['x'], output: ['y'] }], [['x', [2, 3, 4]]], [['y', [2, 3, 4]]], []],
    ['LogSoftmax-11 axis 0', 11, [{ opType: 'LogSoftmax', input: ['x'], output: ['y'], attribute: [int('axis', 0)] }], [['x', [2, 3]]], [['y', [2, 3]]], []],
    ['TopK-9 attr', 9, [{ opType: 'TopK', input: ['x'], output: ['y', 'i'], attribute: [int('k', 2)] }], [['x', [3, 5]]], [['y', [3, 2]], ['i', [3, 2], 7]], []],
    ['BatchNormalization-7 spatial', 7, [{ opType: 'BatchNormalization', input: ['x', 's', 'b', 'm', 'v'], output: ['y'], attribute: [int('spatial', 1)] }], [['x', [1, 2, 3, 3]]], [['y', [1, 2, 3, 3]]], ['s', 'b', 'm', 'v'].map((n, i) => rawF32(n, [2], [0.5 + i, 1 + i]))],
  ];
  for (const [label, opset, nodes, inputs, outputs, initializer] of legacy) {
    it(`upgrades ${label} to opset 20 with identical results`, async () => {
      const bytes = protoModel({ opset, nodes, inputs, outputs, initializer });
      const g = decodeOnnx(bytes, `${label}.onnx`);
      validateGraph(g);
      expect(g.nodes.some((n) => n.opType === 'Upsample')).toBe(false);
      for (const [name, dims] of outputs) expect(g.shape(name)).toEqual(dims);
      const feeds = { x: randomTensor(createRng(9), 'float32', inputs[0]![1] as number[]) };
      const original = await runBytes(bytes, feeds);
      const upgraded = await runBytes(encodeOnnx(g), feeds);
      for (const [name] of outputs) expect(maxAbsDiff(upgraded[name]!, original[name]!)).toBeLessThan(1e-6);
    });
  }
});

describe('less common content', () => {
  it('keeps If subgraphs that read outer-scope values, and float16 / bool initializers', async () => {
    const branch = (op: string) => ({
      name: op,
      node: [{ opType: op, input: ['x'], output: [`${op}_out`] }],
      output: [vi([`${op}_out`, [2, 3]])],
    });
    const bytes = protoModel({
      opset: 17,
      inputs: [['x', [2, 3]]],
      outputs: [['y', [2, 3]], ['h', [2], 10]],
      initializer: [
        { name: 'flag', dims: [], dataType: 9, int32Data: [1] },
        // float16 bits of 1.5 and -2 in int32_data, as ONNX stores halves without raw_data.
        { name: 'half', dims: [2], dataType: 10, int32Data: [0x3e00, 0xc000] },
      ],
      nodes: [
        { opType: 'If', input: ['flag'], output: ['y'], attribute: [{ name: 'then_branch', type: 5, g: branch('Neg') }, { name: 'else_branch', type: 5, g: branch('Abs') }] },
        { opType: 'Identity', input: ['half'], output: ['h'] },
      ],
    });
    const g = decodeOnnx(bytes, 'if.onnx');
    expect(g.initializer('half')!.dtype).toBe('float16');
    expect([...g.initializer('half')!.data]).toEqual([0x3e00, 0xc000]);
    expect(g.initializer('flag')!.data).toEqual(new Uint8Array([1]));
    expect(g.node('If_0')!.attributes['then_branch']!.type).toBe('graph');
    const again = decodeOnnx(encodeOnnx(g), 'if2.onnx');
    expect(encodeOnnx(again)).toEqual(encodeOnnx(g));
    const x = randomTensor(createRng(4), 'float32', [2, 3]);
    const [a, c] = [await runBytes(bytes, { x }), await runBytes(encodeOnnx(again), { x })];
    expect(c['y']).toEqual(a['y']);
    expect(c['y']![0]).toBe(-x.data[0]!);
    expect(c['h']).toEqual(a['h']);
  });
});

describe('bad files', () => {
  const write = (name: string, data: Uint8Array | string): string => {
    const p = join(tmp, name);
    writeFileSync(p, data);
    return p;
  };

  it('names the file when it is not ONNX or is corrupt', async () => {
    const good = encodeOnnx((() => {
      const b = new GraphBuilder();
      b.output(b.conv(b.input('x', 'float32', [1, 2, 4, 4]), 2));
      return b.build();
    })());
    const cases: [string, Uint8Array | string][] = [
      ['empty.onnx', new Uint8Array()],
      ['text.onnx', 'hello, I am not a model\n'],
      ['png.onnx', new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 73, 72, 68, 82])],
      ['random.onnx', Uint8Array.from({ length: 4096 }, (_, i) => (i * 2654435761) >>> 24)],
      ['truncated.onnx', good.slice(0, Math.floor(good.length * 0.6))],
    ];
    for (const [name, data] of cases) {
      const p = write(name, data);
      const err = await readOnnx(p).then(() => undefined, (e: unknown) => e);
      expect(err, name).toBeInstanceOf(FileFormatError);
      expect((err as FileFormatError).file).toBe(p);
      expect((err as Error).message.startsWith(`${p}: `)).toBe(true);
    }
    await expect(readOnnx(join(tmp, 'missing.onnx'))).rejects.toThrow(FileNotFoundError);
  });

  it('rejects external data with a clear error', () => {
    const bytes = protoModel({
      opset: 13,
      inputs: [['x', [2]]],
      outputs: [['y', [2]]],
      initializer: [{ name: 'w', dims: [2], dataType: 1, dataLocation: 1, externalData: [{ key: 'location', value: 'w.bin' }] }],
      nodes: [{ opType: 'Add', input: ['x', 'w'], output: ['y'] }],
    });
    expect(() => decodeOnnx(bytes, 'ext.onnx')).toThrow(/^ext\.onnx: tensor 'w' stores its data outside the model file/);
  });
});
