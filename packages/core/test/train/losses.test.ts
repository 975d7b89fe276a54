/** Loss helpers: values and gradients against JS references, masks with non-finite invalid targets. */
import { describe, expect, it } from 'vitest';
import { grad } from '../../src/autodiff/index.js';
import { createGraphSession, type BackendTensor } from '../../src/backend/index.js';
import { InvalidParameterError, ShapeMismatchError } from '../../src/errors.js';
import { GraphBuilder, type TensorRef } from '../../src/graph/index.js';
import { createRng } from '../../src/random.js';
import { l1Loss, mean, mseLoss, smoothL1Loss } from '../../src/train/losses.js';
import { maxRelDiff } from './reference.js';

const DIMS = [2, 1, 3, 4];
const n = 24;
const rng = createRng(3);
const pred = Float32Array.from({ length: n }, () => 3 * (2 * rng() - 1));
const target = Float32Array.from({ length: n }, () => 3 * (2 * rng() - 1));
// Every third target is invalid (non-finite, as the SDK's disparity readers write it).
const valid = Uint8Array.from({ length: n }, (_, i) => (i % 3 === 0 ? 0 : 1));
for (let i = 0; i < n; i++) if (!valid[i]) target[i] = i % 2 ? Infinity : NaN;

type Loss = (b: GraphBuilder, p: TensorRef, t: TensorRef, m?: TensorRef) => TensorRef;

/** Runs loss(pred, target[, mask]) and its gradient with respect to pred. */
async function evaluate(loss: Loss, withMask: boolean, maskDtype: 'bool' | 'float32' = 'bool'): Promise<{ value: number; dPred: Float32Array }> {
  const b = new GraphBuilder();
  const p = b.input('pred', 'float32', DIMS);
  const t = b.input('target', 'float32', DIMS);
  const m = withMask ? b.input('mask', maskDtype, DIMS) : undefined;
  b.output(loss(b, p, t, m), 'loss');
  const { graph, gradients } = grad(b.build(), 'loss', ['pred']);
  const s = await createGraphSession(graph, { threads: 1 });
  const feeds: Record<string, BackendTensor> = { pred: { type: 'float32', dims: DIMS, data: pred }, target: { type: 'float32', dims: DIMS, data: withMask ? target : target.map((v, i) => (valid[i] ? v : 0)) } };
  if (withMask) feeds['mask'] = maskDtype === 'bool' ? { type: 'bool', dims: DIMS, data: valid } : { type: 'float32', dims: DIMS, data: Float32Array.from(valid) };
  const out = await s.run(feeds);
  await s.release();
  return { value: Number(out['loss']!.data[0]), dPred: out[gradients['pred']!]!.data as Float32Array };
}

/** Reference: per-element loss and derivative over the valid (or all) elements, averaged. */
function reference(f: (d: number) => [number, number], withMask: boolean): { value: number; dPred: Float64Array } {
  const use = (i: number) => !withMask || valid[i] === 1;
  const count = pred.reduce((c, _, i) => c + (use(i) ? 1 : 0), 0);
  let sum = 0;
  const dPred = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    if (!use(i)) continue;
    const [l, dl] = f(pred[i]! - (withMask ? target[i]! : valid[i] ? target[i]! : 0));
    sum += l;
    dPred[i] = dl / count;
  }
  return { value: sum / count, dPred };
}

const cases: { name: string; loss: Loss; f: (d: number) => [number, number] }[] = [
  { name: 'l1', loss: (b, p, t, m) => l1Loss(b, p, t, { mask: m }), f: (d) => [Math.abs(d), Math.sign(d)] },
  { name: 'mse', loss: (b, p, t, m) => mseLoss(b, p, t, { mask: m }), f: (d) => [d * d, 2 * d] },
  {
    name: 'smoothL1 (beta 0.7)',
    loss: (b, p, t, m) => smoothL1Loss(b, p, t, { mask: m, beta: 0.7 }),
    f: (d) => (Math.abs(d) < 0.7 ? [(0.5 * d * d) / 0.7, d / 0.7] : [Math.abs(d) - 0.35, Math.sign(d)]),
  },
];

describe('losses', () => {
  for (const c of cases) {
    it(`${c.name}: value and gradient, plain and masked (invalid targets are NaN/Inf)`, async () => {
      for (const withMask of [false, true]) {
        const got = await evaluate(c.loss, withMask);
        const want = reference(c.f, withMask);
        expect(got.value).toBeCloseTo(want.value, 5);
        expect(got.dPred.every(Number.isFinite)).toBe(true);
        expect(maxRelDiff(got.dPred, want.dPred)).toBeLessThan(1e-6);
      }
    });
  }

  it('accepts a float mask and counts only its positive elements', async () => {
    const got = await evaluate(cases[0]!.loss, true, 'float32');
    expect(got.value).toBeCloseTo(reference(cases[0]!.f, true).value, 5);
  });

  it('mean reduces everything to a scalar; bad inputs fail with typed errors', async () => {
    const b = new GraphBuilder();
    const x = b.input('x', 'float32', [2, 3]);
    const m = mean(b, x);
    expect(m.shape).toEqual([]);
    const y = b.input('y', 'float32', [3, 2]);
    expect(() => l1Loss(b, x, y)).toThrow(ShapeMismatchError);
    expect(() => smoothL1Loss(b, x, x, { beta: 0 })).toThrow(InvalidParameterError);
  });
});
