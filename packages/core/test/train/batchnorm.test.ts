/** Training-mode BatchNormalization from primitives: forward, running statistics and gradient. */
import { describe, expect, it } from 'vitest';
import { grad } from '../../src/autodiff/index.js';
import { createGraphSession, type BackendTensor } from '../../src/backend/index.js';
import { GraphBuilder, GraphValidationError, makeTensor, type Tensor } from '../../src/graph/index.js';
import { createRng } from '../../src/random.js';
import { toTrainingBatchNorm } from '../../src/train/batchnorm.js';
import { maxRelDiff } from './reference.js';

const N = 3;
const C = 4;
const H = 5;
const W = 3;

function randomData(n: number, seed: number, scale = 1, offset = 0): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length: n }, () => offset + scale * (2 * rng() - 1));
}

/** x → BN (random affine and running stats, momentum 0.2) → y, plus a projection loss sum(y·r). */
function bnGraph() {
  const b = new GraphBuilder({ seed: 3 });
  const x = b.input('x', 'float32', [N, C, H, W]);
  const y = b.batchNorm(x, { momentum: 0.2, eps: 1e-3, name: 'bn' });
  const r = b.input('r', 'float32', [N, C, H, W]);
  b.output(y, 'y');
  b.output(b.reduceSum(b.mul(y, r), undefined, false), 'loss');
  const g = b.build();
  g.setInitializer('bn.weight', makeTensor('float32', [C], randomData(C, 11, 0.5, 1)));
  g.setInitializer('bn.bias', makeTensor('float32', [C], randomData(C, 12)));
  g.setInitializer('bn.running_mean', makeTensor('float32', [C], randomData(C, 13)));
  g.setInitializer('bn.running_var', makeTensor('float32', [C], randomData(C, 14, 0.4, 1)));
  return g;
}

/** PyTorch's training-mode BN in float64: output, new running stats, and dL/dx, dγ, dβ for dL/dy = r. */
function reference(x: Float32Array, r: Float32Array, gamma: Tensor, beta: Tensor, rm: Tensor, rv: Tensor, momentum: number, eps: number) {
  const m = N * H * W;
  const at = (n: number, c: number, k: number) => (n * C + c) * H * W + k;
  const y = new Float64Array(x.length);
  const dx = new Float64Array(x.length);
  const dGamma = new Float64Array(C);
  const dBeta = new Float64Array(C);
  const mean = new Float64Array(C);
  const uvar = new Float64Array(C);
  for (let c = 0; c < C; c++) {
    let s = 0;
    for (let n = 0; n < N; n++) for (let k = 0; k < H * W; k++) s += x[at(n, c, k)]!;
    const mu = s / m;
    let v = 0;
    for (let n = 0; n < N; n++) for (let k = 0; k < H * W; k++) v += (x[at(n, c, k)]! - mu) ** 2;
    const invStd = 1 / Math.sqrt(v / m + eps);
    const g = Number(gamma.data[c]);
    let sumDy = 0;
    let sumDyXhat = 0;
    for (let n = 0; n < N; n++) {
      for (let k = 0; k < H * W; k++) {
        const i = at(n, c, k);
        const xhat = (x[i]! - mu) * invStd;
        y[i] = g * xhat + Number(beta.data[c]);
        sumDy += r[i]!;
        sumDyXhat += r[i]! * xhat;
      }
    }
    for (let n = 0; n < N; n++) {
      for (let k = 0; k < H * W; k++) {
        const i = at(n, c, k);
        const xhat = (x[i]! - mu) * invStd;
        dx[i] = ((g * invStd) / m) * (m * r[i]! - sumDy - xhat * sumDyXhat);
      }
    }
    dGamma[c] = sumDyXhat;
    dBeta[c] = sumDy;
    mean[c] = (1 - momentum) * Number(rm.data[c]) + momentum * mu;
    uvar[c] = (1 - momentum) * Number(rv.data[c]) + momentum * (v / (m - 1));
  }
  return { y, dx, dGamma, dBeta, mean, uvar };
}

describe('toTrainingBatchNorm', () => {
  it('normalizes with batch statistics, updates running stats as PyTorch, and differentiates like BN backward', async () => {
    const g = bnGraph();
    const train = g.clone();
    const [bn] = toTrainingBatchNorm(train);
    expect(train.nodes.some((n) => n.opType === 'BatchNormalization')).toBe(false);
    expect(bn).toMatchObject({ runningMean: 'bn.running_mean', runningVar: 'bn.running_var' });
    expect(bn!.momentum).toBeCloseTo(0.2, 6);
    train.addOutput(bn!.nextMean);
    train.addOutput(bn!.nextVar);
    const { graph: withGrad, gradients } = grad(train, 'loss', ['x', 'bn.weight', 'bn.bias']);

    const x = randomData(N * C * H * W, 21, 2, 0.5);
    const r = randomData(N * C * H * W, 22);
    const session = await createGraphSession(withGrad, { threads: 1 });
    const feeds: Record<string, BackendTensor> = { x: { type: 'float32', dims: [N, C, H, W], data: x }, r: { type: 'float32', dims: [N, C, H, W], data: r } };
    const out = await session.run(feeds);
    await session.release();

    const init = (n: string) => g.initializer(n)!;
    const ref = reference(x, r, init('bn.weight'), init('bn.bias'), init('bn.running_mean'), init('bn.running_var'), bn!.momentum, 1e-3);
    expect(maxRelDiff(out['y']!.data as Float32Array, ref.y)).toBeLessThan(1e-5);
    expect(maxRelDiff(out[bn!.nextMean]!.data as Float32Array, ref.mean)).toBeLessThan(1e-6);
    expect(maxRelDiff(out[bn!.nextVar]!.data as Float32Array, ref.uvar)).toBeLessThan(1e-6);
    expect(maxRelDiff(out[gradients['x']!]!.data as Float32Array, ref.dx)).toBeLessThan(1e-4);
    expect(maxRelDiff(out[gradients['bn.weight']!]!.data as Float32Array, ref.dGamma)).toBeLessThan(1e-4);
    expect(maxRelDiff(out[gradients['bn.bias']!]!.data as Float32Array, ref.dBeta)).toBeLessThan(1e-5);
  });

  it('keeps the output names, leaves graphs without BN alone, and names the node when a shape is unknown', () => {
    const g = bnGraph();
    const outputs = [...g.outputs];
    toTrainingBatchNorm(g);
    expect(g.outputs).toEqual(outputs);
    const bnOut = g.producer('y')!.inputs[0]!;
    expect(g.producer(bnOut)?.opType).toBe('Add');

    const plain = new GraphBuilder();
    plain.output(plain.relu(plain.input('x', 'float32', [2, 3])), 'y');
    const pg = plain.build();
    const before = pg.nodes.map((n) => n.name);
    expect(toTrainingBatchNorm(pg)).toEqual([]);
    expect(pg.nodes.map((n) => n.name)).toEqual(before);

    const dyn = new GraphBuilder();
    const x = dyn.input('x', 'float32', ['batch', 4, 2, 2]);
    dyn.output(dyn.batchNorm(x, { name: 'bnx' }), 'y');
    expect(() => toTrainingBatchNorm(dyn.build())).toThrow(GraphValidationError);

    const single = new GraphBuilder();
    single.output(single.batchNorm(single.input('x', 'float32', [1, 4, 1, 1])), 'y');
    expect(() => toTrainingBatchNorm(single.build())).toThrow(/at least 2/);
  });
});
