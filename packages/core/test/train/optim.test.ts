/** The in-graph optimizers and clipping against JS references of PyTorch's update rules. */
import { describe, expect, it } from 'vitest';
import { createGraphSession, type BackendTensor } from '../../src/backend/index.js';
import { InvalidParameterError } from '../../src/errors.js';
import { Graph } from '../../src/graph/index.js';
import { createRng } from '../../src/random.js';
import { emitClipByNorm, emitGlobalNorm, emitOptimizer, resolveOptimizer } from '../../src/train/optim.js';
import type { OptimizerConfig } from '../../src/train/types.js';
import { adamwStep, clipGradNorm, maxRelDiff, sgdStep } from './reference.js';

const SHAPES = [[3, 4], [5], [2, 1, 3]];
const f32 = (dims: readonly number[], data: Float32Array): BackendTensor => ({ type: 'float32', dims, data });
const f64 = (v: number): BackendTensor => ({ type: 'float64', dims: [], data: new Float64Array([v]) });

/** A graph whose parameters and gradients are inputs, followed by the optimizer update. */
function optimizerGraph(cfg: OptimizerConfig, clip?: number, noDecay = new Set<string>()) {
  const g = new Graph('optim');
  const items = SHAPES.map((shape, i) => {
    g.addInput(`p${i}`, { dtype: 'float32', shape });
    g.addInput(`g${i}`, { dtype: 'float32', shape });
    return { param: `p${i}`, grad: `g${i}`, decay: !noDecay.has(`p${i}`) };
  });
  g.addInput('lr', { dtype: 'float64', shape: [] });
  g.addInput('step', { dtype: 'float64', shape: [] });
  const grads = items.map((i) => i.grad);
  const norm = emitGlobalNorm(g, grads);
  const clipped = clip ? emitClipByNorm(g, grads, norm, clip) : grads;
  const update = emitOptimizer(g, resolveOptimizer(cfg), items.map((it, i) => ({ ...it, grad: clipped[i]! })), { lr: 'lr', step: 'step' });
  g.setOutputs([norm, ...update.params.map((p) => p.next), ...update.moments.map((m) => m.next)]);
  for (const name of [...g.inputs]) if (g.uses(name).length === 0) g.removeInput(name);
  return { g, norm, update };
}

/** Runs `steps` in-graph updates with random gradients and a changing lr; calls `check` after each. */
async function run(
  cfg: OptimizerConfig,
  steps: number,
  reference: (params: Float32Array[], grads: Float32Array[], t: number, lr: number) => number | void,
  opts: { clip?: number; noDecay?: Set<string> } = {},
): Promise<void> {
  const { g, norm, update } = optimizerGraph(cfg, opts.clip, opts.noDecay);
  const session = await createGraphSession(g, { threads: 1 });
  const rng = createRng(7);
  const size = (s: number[]) => s.reduce((a, b) => a * b, 1);
  const state = new Map<string, BackendTensor>();
  const refParams = SHAPES.map((s) => Float32Array.from({ length: size(s) }, () => 2 * rng() - 1));
  SHAPES.forEach((s, i) => state.set(`p${i}`, f32(s, refParams[i]!.slice())));
  for (const m of update.moments) state.set(m.name, f32(g.staticShape(m.name), new Float32Array(size(g.staticShape(m.name)))));
  try {
    for (let t = 1; t <= steps; t++) {
      const lr = cfg.lr * (1 - 0.1 * t);
      const grads = SHAPES.map((s) => Float32Array.from({ length: size(s) }, () => 3 * (2 * rng() - 1)));
      const feeds: Record<string, BackendTensor> = { lr: f64(lr), step: f64(t) };
      SHAPES.forEach((s, i) => (feeds[`g${i}`] = f32(s, grads[i]!)));
      for (const [k, v] of state) feeds[k] = v;
      const run: Record<string, BackendTensor> = {};
      for (const name of session.inputNames) run[name] = feeds[name]!;
      const out = await session.run(run);
      for (const slot of [...update.params, ...update.moments]) state.set(slot.name, out[slot.next]!);
      const refNorm = reference(refParams, grads.map((x) => x.slice()), t, lr);
      if (typeof refNorm === 'number') expect(Math.abs(Number(out[norm]!.data[0]) - refNorm) / refNorm).toBeLessThan(1e-6);
      refParams.forEach((p, i) => expect(maxRelDiff(state.get(`p${i}`)!.data as Float32Array, p)).toBeLessThan(2e-6));
    }
  } finally {
    await session.release();
  }
}

describe('in-graph AdamW', () => {
  it('matches PyTorch AdamW (decoupled decay, bias correction) over several steps with a changing lr', async () => {
    const cfg = { type: 'adamw', lr: 0.05, betas: [0.8, 0.99], eps: 1e-6, weightDecay: 0.1 } as const;
    const m = SHAPES.map((s) => new Float32Array(s.reduce((a, b) => a * b, 1)));
    const v = m.map((x) => x.slice());
    await run(cfg, 6, (params, grads, t, lr) => {
      params.forEach((p, i) => adamwStep(p, grads[i]!, m[i]!, v[i]!, t, { lr, betas: [0.8, 0.99], eps: 1e-6, weightDecay: 0.1 }));
    });
  });

  it('skips weight decay for excluded parameters and clips the global gradient norm first', async () => {
    const cfg = { type: 'adamw', lr: 0.01 } as const;
    const m = SHAPES.map((s) => new Float32Array(s.reduce((a, b) => a * b, 1)));
    const v = m.map((x) => x.slice());
    await run(
      cfg,
      4,
      (params, grads, t, lr) => {
        const norm = clipGradNorm(grads, 2);
        params.forEach((p, i) => adamwStep(p, grads[i]!, m[i]!, v[i]!, t, { lr, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0.01 }, i !== 1));
        return norm;
      },
      { clip: 2, noDecay: new Set(['p1']) },
    );
  });
});

describe('in-graph SGD', () => {
  const cases = [
    { name: 'plain', momentum: 0, nesterov: false, weightDecay: 0 },
    { name: 'momentum + weight decay', momentum: 0.9, nesterov: false, weightDecay: 0.05 },
    { name: 'Nesterov', momentum: 0.7, nesterov: true, weightDecay: 0.01 },
  ];
  for (const c of cases) {
    it(`matches PyTorch SGD (${c.name}) over several steps`, async () => {
      const bufs: (Float32Array | null)[] = SHAPES.map(() => null);
      await run({ type: 'sgd', lr: 0.1, momentum: c.momentum, nesterov: c.nesterov, weightDecay: c.weightDecay }, 5, (params, grads, _t, lr) => {
        params.forEach((p, i) => (bufs[i] = sgdStep(p, grads[i]!, bufs[i]!, { lr, momentum: c.momentum, nesterov: c.nesterov, weightDecay: c.weightDecay })));
      });
    });
  }

  it('rejects bad settings with the field name', () => {
    expect(() => resolveOptimizer({ type: 'sgd', lr: 0.1, nesterov: true })).toThrow(/momentum/);
    expect(() => resolveOptimizer({ type: 'sgd', lr: -1 })).toThrow(InvalidParameterError);
    expect(() => resolveOptimizer({ type: 'adamw', lr: 1e-3, betas: [0.9, 1] })).toThrow(/betas/);
    expect(() => resolveOptimizer({ type: 'adam' } as unknown as OptimizerConfig)).toThrow(/optimizer.type/);
    expect(resolveOptimizer(undefined)).toEqual({ type: 'adamw', lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0.01 });
  });
});
