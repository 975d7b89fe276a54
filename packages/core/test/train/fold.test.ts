/** Folding BN into Conv / ConvTranspose / Gemm keeps the outputs, and export drops training-only parts. */
import { describe, expect, it } from 'vitest';
import { createGraphSession, type BackendTensor } from '../../src/backend/index.js';
import { InvalidParameterError } from '../../src/errors.js';
import { attr, GraphBuilder, makeTensor, type Graph, type TensorRef } from '../../src/graph/index.js';
import { createRng } from '../../src/random.js';
import { foldBatchNorm } from '../../src/train/fold.js';
import { toInferenceGraph } from '../../src/train/export.js';
import { l1Loss } from '../../src/train/losses.js';
import { maxRelDiff } from './reference.js';

const rng = createRng(5);
const rand = (n: number, scale = 1, offset = 0) => Float32Array.from({ length: n }, () => offset + scale * (2 * rng() - 1));

/** A BN with random statistics, so folding has real work to do. */
function bn(b: GraphBuilder, x: TensorRef, name: string): TensorRef {
  const y = b.batchNorm(x, { name, eps: 1e-4 });
  const c = x.shape[1] as number;
  b.graph.setInitializer(`${name}.weight`, makeTensor('float32', [c], rand(c, 0.5, 1)));
  b.graph.setInitializer(`${name}.bias`, makeTensor('float32', [c], rand(c)));
  b.graph.setInitializer(`${name}.running_mean`, makeTensor('float32', [c], rand(c)));
  b.graph.setInitializer(`${name}.running_var`, makeTensor('float32', [c], rand(c, 0.5, 1)));
  return y;
}

function foldableNet(): Graph {
  const b = new GraphBuilder({ seed: 9 });
  const x = b.input('x', 'float32', [2, 4, 7, 9]);
  b.output(bn(b, b.conv(x, 6, { padding: 1, name: 'withBias' }), 'bn0'), 'a');
  b.output(bn(b, b.conv(x, 6, { stride: 2, bias: false, name: 'noBias' }), 'bn1'), 'b');
  b.output(bn(b, b.conv(x, 6, { groups: 2, padding: 1, name: 'grouped' }), 'bn2'), 'c');
  b.output(bn(b, b.convTranspose(x, 6, { kernel: 2, stride: 2, groups: 2, name: 'deconv' }), 'bn3'), 'd');
  const flat = b.flatten(b.globalAvgPool(x));
  b.output(bn(b, b.linear(flat, 5, { name: 'fc' }), 'bn4'), 'e');
  const w = b.param('gemmB', makeTensor('float32', [4, 3], rand(12)));
  b.output(bn(b, b.gemm(flat, w, undefined, { alpha: 0.5 }), 'bn5'), 'f');
  // Two convs sharing one weight, each with its own BN: folding must copy, not overwrite.
  const shared = b.param('shared.weight', makeTensor('float32', [3, 4, 1, 1], rand(12)));
  const attrs = { kernel_shape: attr.ints([1, 1]) };
  b.output(bn(b, b.op('Conv', [x, shared], attrs)[0]!, 'bn6'), 'g');
  b.output(bn(b, b.op('Conv', [x, shared], attrs)[0]!, 'bn7'), 'h');
  // BN straight on an input has no layer to fold into and stays.
  b.output(bn(b, x, 'bnInput'), 'i');
  return b.build();
}

async function runAll(g: Graph, feeds: Record<string, BackendTensor>): Promise<Record<string, BackendTensor>> {
  const s = await createGraphSession(g, { threads: 1 });
  try {
    return await s.run(feeds);
  } finally {
    await s.release();
  }
}

describe('foldBatchNorm', () => {
  it('folds conv (with and without bias, grouped, strided), deconv and Gemm BNs exactly', async () => {
    const g = foldableNet();
    const folded = g.clone();
    expect(foldBatchNorm(folded)).toBe(8);
    expect(folded.nodes.filter((n) => n.opType === 'BatchNormalization')).toHaveLength(1);
    expect(folded.outputs).toEqual(g.outputs);
    expect(folded.initializer('noBias.bias')?.dims).toEqual([6]);
    const sharedReaders = g.uses('shared.weight').map((u) => folded.node(u.node.name)!.inputs[1]);
    expect(new Set(sharedReaders).size).toBe(2);
    const feeds = { x: { type: 'float32', dims: [2, 4, 7, 9], data: rand(2 * 4 * 7 * 9, 2) } } as const;
    const [want, got] = await Promise.all([runAll(g, feeds), runAll(folded, feeds)]);
    for (const o of g.outputs) expect(maxRelDiff(got[o]!.data as Float32Array, want[o]!.data as Float32Array), o).toBeLessThan(2e-5);
  });
});

describe('toInferenceGraph', () => {
  it('drops the loss, its target input and training metadata, and folds BN', async () => {
    const b = new GraphBuilder({ seed: 2 });
    const x = b.input('x', 'float32', [1, 2, 5, 5]);
    const y = b.conv(b.relu(bn(b, b.conv(x, 4, { padding: 1, bias: false }), 'bn')), 1, { padding: 1, name: 'head' });
    b.output(y, 'disparity');
    b.output(l1Loss(b, y, b.input('gt', 'float32', [1, 1, 5, 5])), 'loss');
    const g = b.build();
    g.metadata.set('stereo_sdk.train.step', '3');
    g.metadata.set('stereo_sdk.contract', '{}');
    const inf = toInferenceGraph(g);
    expect(inf.outputs).toEqual(['disparity']);
    expect(inf.inputs).toEqual(['x']);
    expect(inf.nodes.map((n) => n.opType)).toEqual(['Conv', 'Relu', 'Conv', 'Identity']);
    expect([...inf.metadata.keys()]).toEqual(['stereo_sdk.contract']);
    const feeds = { x: { type: 'float32', dims: [1, 2, 5, 5], data: rand(50) } } as const;
    const [want, got] = await Promise.all([runAll(g.clone(), { ...feeds, gt: { type: 'float32', dims: [1, 1, 5, 5], data: rand(25) } }), runAll(inf, feeds)]);
    expect(maxRelDiff(got['disparity']!.data as Float32Array, want['disparity']!.data as Float32Array)).toBeLessThan(1e-5);
    expect(toInferenceGraph(g, { foldBatchNorm: false }).nodes.some((n) => n.opType === 'BatchNormalization')).toBe(true);
    expect(() => toInferenceGraph(g, { outputs: ['nope'] })).toThrow(InvalidParameterError);
  });
});
