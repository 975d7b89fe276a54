/** Fine-tuning models made elsewhere: a hand-written protobuf at an old opset, and a file round trip. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import onnxProto from 'onnx-proto';
import { afterAll, describe, expect, it } from 'vitest';
import { GraphBuilder, readOnnx, writeOnnx, type Graph, type TensorRef } from '../../src/graph/index.js';
import { createGraphSession } from '../../src/backend/index.js';
import { createTrainer } from '../../src/train/index.js';
import { l1Loss } from '../../src/train/losses.js';
import { dataOf, f32, uniformData } from './nets.js';

const { onnx } = onnxProto;
const tmp = mkdtempSync(join(tmpdir(), 'finetune-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const vi = (name: string, dims: number[]) => ({ name, type: { tensorType: { elemType: 1, shape: { dim: dims.map((d) => ({ dimValue: d })) } } } });
const raw = (name: string, dims: number[], values: Float32Array) => ({ name, dims, dataType: 1, rawData: new Uint8Array(values.buffer) });

/** Conv → Relu → Conv(1×1) → Mul by a constant, at opset 13, named the way PyTorch's exporter does. */
function handWrittenModel(): Uint8Array {
  return onnx.ModelProto.encode({
    irVersion: 7,
    producerName: 'pytorch-like',
    opsetImport: [{ domain: '', version: 13 }],
    graph: {
      name: 'exported',
      input: [vi('input', [2, 3, 6, 6])],
      output: [vi('out', [2, 1, 6, 6])],
      initializer: [
        raw('onnx::Conv_11', [4, 3, 3, 3], uniformData(108, 1, -0.3, 0.3)),
        raw('onnx::Conv_12', [4], uniformData(4, 2, -0.1, 0.1)),
        raw('head.w', [1, 4, 1, 1], uniformData(4, 3, -0.5, 0.5)),
        raw('onnx::Mul_5', [], new Float32Array([2])),
      ],
      node: [
        { name: 'Conv_0', opType: 'Conv', input: ['input', 'onnx::Conv_11', 'onnx::Conv_12'], output: ['h'], attribute: [{ name: 'pads', type: 7, ints: [1, 1, 1, 1] }] },
        { name: 'Relu_1', opType: 'Relu', input: ['h'], output: ['r'] },
        { name: 'Conv_2', opType: 'Conv', input: ['r', 'head.w'], output: ['c'] },
        { name: 'Mul_3', opType: 'Mul', input: ['c', 'onnx::Mul_5'], output: ['out'] },
      ],
    },
  }).finish();
}

/** Adds an L1 loss against a new `target` input to a loaded graph. */
function withLoss(g: Graph, output: string): Graph {
  const b = new GraphBuilder({ graph: g });
  const pred: TensorRef = { name: output, dtype: g.dtype(output)!, shape: g.shape(output)! };
  b.output(l1Loss(b, pred, b.input('target', 'float32', pred.shape)), 'loss');
  return b.build();
}

describe('fine-tuning loaded models', () => {
  it('trains a hand-written opset-13 protobuf, freezing by name; rank-0 constants stay fixed', async () => {
    const path = join(tmp, 'exported.onnx');
    writeFileSync(path, handWrittenModel());
    const g = withLoss(await readOnnx(path), 'out');
    const trainer = await createTrainer(g, { optimizer: { type: 'sgd', lr: 0.05, momentum: 0.9 }, freeze: ['onnx::Conv_11'], threads: 1 });
    expect(trainer.params).toEqual(['onnx::Conv_12', 'head.w']);
    const batch = { input: f32([2, 3, 6, 6], uniformData(216, 4)), target: f32([2, 1, 6, 6], uniformData(72, 5, 0, 1)) };
    const losses: number[] = [];
    for (let i = 0; i < 30; i++) losses.push((await trainer.trainStep(batch)).loss);
    expect(losses.at(-1)!).toBeLessThan(0.7 * losses[0]!);
    const m = trainer.modelGraph();
    expect(dataOf(m.initializer('onnx::Conv_11'))).toEqual(dataOf(g.initializer('onnx::Conv_11')));
    expect(dataOf(m.initializer('onnx::Mul_5'))).toEqual(new Float32Array([2]));
    expect(dataOf(m.initializer('head.w'))).not.toEqual(dataOf(g.initializer('head.w')));
    const exported = trainer.exportInference();
    expect([exported.inputs, exported.outputs]).toEqual([['input'], ['out']]);
    await trainer.release();
  });

  it('trains a conv-BN network after a save/load round trip (BN found in the loaded graph)', async () => {
    const b = new GraphBuilder({ seed: 6 });
    const x = b.input('x', 'float32', [3, 2, 5, 5]);
    b.output(b.conv(b.relu(b.batchNorm(b.conv(x, 4, { padding: 1, bias: false }))), 1, { kernel: 1 }), 'y');
    const path = join(tmp, 'builder.onnx');
    await writeOnnx(path, b.build());
    const g = withLoss(await readOnnx(path), 'y');
    const trainer = await createTrainer(g, { optimizer: { type: 'adamw', lr: 0.02 }, threads: 1 });
    expect(trainer.params).toEqual(['conv0.weight', 'bn0.weight', 'bn0.bias', 'conv1.weight', 'conv1.bias']);
    const batch = { x: f32([3, 2, 5, 5], uniformData(150, 7)), target: f32([3, 1, 5, 5], uniformData(75, 8)) };
    const losses: number[] = [];
    for (let i = 0; i < 30; i++) losses.push((await trainer.trainStep(batch)).loss);
    expect(losses.at(-1)!).toBeLessThan(0.7 * losses[0]!);
    expect(dataOf(trainer.modelGraph().initializer('bn0.running_mean')).some((v) => v !== 0)).toBe(true);
    await trainer.release();
  });
});

describe('a model exported by PyTorch (torch.onnx.export, opset 13)', () => {
  // Written by tools/fixtures/export_torch_fixture.py with torch 1.13; output recorded by torch.
  const fixture = new URL('../fixtures/torch-cnn.onnx', import.meta.url).pathname;
  const expected = JSON.parse(readFileSync(new URL('../fixtures/torch-cnn.expected.json', import.meta.url), 'utf8')) as { output: number[]; dims: number[] };
  const input = () => f32([2, 3, 9, 11], Float32Array.from({ length: 594 }, (_, i) => -1 + (2 * i) / 593));

  it('loads, runs as PyTorch computed it, fine-tunes with BN found, and exports with BN folded', async () => {
    const loaded = await readOnnx(fixture);
    expect(loaded.nodes.some((n) => n.opType === 'BatchNormalization')).toBe(true);
    const session = await createGraphSession(loaded, { threads: 1 });
    const y = (await session.run({ x: input() })).y!;
    await session.release();
    expect(y.dims).toEqual(expected.dims);
    expected.output.forEach((v, i) => expect((y.data as Float32Array)[i]).toBeCloseTo(v, 4));

    const trainer = await createTrainer(withLoss(loaded, 'y'), { optimizer: { type: 'adamw', lr: 0.01 }, threads: 1 });
    const batch = { x: input(), target: f32([2, 4], new Float32Array([1, 0, 0, 1, 0, 1, 1, 0])) };
    const losses: number[] = [];
    for (let i = 0; i < 25; i++) losses.push((await trainer.trainStep(batch)).loss);
    expect(losses.at(-1)!).toBeLessThan(0.5 * losses[0]!);

    const exported = trainer.exportInference();
    expect(exported.nodes.some((n) => n.opType === 'BatchNormalization')).toBe(false);
    expect([exported.inputs, exported.outputs]).toEqual([['x'], ['y']]);
    const evalOut = await trainer.evaluate({ x: input() });
    const folded = await createGraphSession(exported, { threads: 1 });
    const yFolded = (await folded.run({ x: input() })).y!.data as Float32Array;
    await folded.release();
    (evalOut.y!.data as Float32Array).forEach((v, i) => expect(yFolded[i]).toBeCloseTo(v, 4));
    await trainer.release();
  });
});
