/**
 * Gradient checks of the elementwise rules (activations, arithmetic with broadcasting, Where, Pow,
 * Cast...) against finite differences. Also the usage example of the `GradCheck` harness.
 */
import { describe, expect, it } from 'vitest';
import { attr, makeTensor } from '../../src/graph/index.js';
import type { Rng } from '../../src/random.js';
import { GradCheck, pick, randInt, randShape } from './gradcheck.js';

/** Random pair of shapes that broadcast together, odd sizes included. */
function broadcastPair(rng: Rng): [number[], number[]] {
  const out = randShape(rng, randInt(rng, 1, 4), 1, 5);
  const sub = (): number[] => out.slice(randInt(rng, 0, out.length - 1)).map((d) => (rng() < 0.35 ? 1 : d));
  return [sub(), sub()];
}

describe('elementwise gradient rules', () => {
  it('unary activations and math on random odd shapes', async () => {
    const gc = new GradCheck({ seed: 11 });
    const shape = (): number[] => randShape(gc.rng, randInt(gc.rng, 0, 4), 1, 5);
    for (let k = 0; k < 3; k++) {
      gc.case(`Relu ${k}`, (c) => c.op('Relu', [c.input(shape(), { kinks: [0] })]));
      gc.case(`Sigmoid ${k}`, (c) => c.op('Sigmoid', [c.input(shape(), { range: [-3, 3] })]));
      gc.case(`Tanh ${k}`, (c) => c.op('Tanh', [c.input(shape(), { range: [-2, 2] })]));
      gc.case(`Exp ${k}`, (c) => c.op('Exp', [c.input(shape())]));
      gc.case(`Log ${k}`, (c) => c.op('Log', [c.input(shape(), { range: [0.3, 3] })]));
      gc.case(`Sqrt ${k}`, (c) => c.op('Sqrt', [c.input(shape(), { range: [0.3, 3] })]));
      gc.case(`Abs ${k}`, (c) => c.op('Abs', [c.input(shape(), { kinks: [0] })]));
      gc.case(`Neg ${k}`, (c) => c.op('Neg', [c.input(shape())]));
      gc.case(`Reciprocal ${k}`, (c) => c.op('Reciprocal', [c.input(shape(), { range: [0.5, 2] })]));
      gc.case(`Identity ${k}`, (c) => c.op('Identity', [c.input(shape())]));
    }
    const report = await gc.run();
    expect(report.failures).toEqual([]);
    expect(report.checks).toBe(30 * 2);
  });

  it('float32-only kernels (LeakyRelu, Mean, Softplus, PRelu, Erf, Elu, HardSigmoid, HardSwish) and Cast in a float32 check', async () => {
    const gc = new GradCheck({ seed: 16, dtype: 'float32' });
    for (let k = 0; k < 3; k++) {
      const s = randShape(gc.rng, randInt(gc.rng, 1, 4), 1, 5);
      gc.case(`LeakyRelu ${k}`, (c) => c.op('LeakyRelu', [c.input(s, { kinks: [0] })], { alpha: attr.float(0.2) }));
    }
    gc.case('Mean variadic', (c) => c.op('Mean', [c.input([2, 5]), c.input([2, 1]), c.input([5])]));
    gc.case('Cast f32→f64→f32', (c) => {
      const y = c.op('Cast', [c.input([3, 7])], { to: attr.int(11) });
      return c.op('Cast', [c.op('Mul', [y, y])], { to: attr.int(1) });
    });
    gc.case('Softplus', (c) => c.op('Softplus', [c.input([3, 5], { range: [-3, 3] })]));
    gc.case('PRelu channel slope', (c) => c.op('PRelu', [c.input([2, 3, 4, 5], { kinks: [0] }), c.input([3, 1, 1], { range: [0.05, 0.5] })]));
    gc.case('Erf', (c) => c.op('Erf', [c.input([4, 5], { range: [-2, 2] })]));
    gc.case('Elu', (c) => c.op('Elu', [c.input([3, 7], { range: [-2, 2], kinks: [0] })], { alpha: attr.float(0.7) }));
    gc.case('HardSigmoid', (c) => c.op('HardSigmoid', [c.input([5, 5], { range: [-4, 4], kinks: [-2.5, 2.5] })]));
    gc.case('HardSwish', (c) => c.op('HardSwish', [c.input([5, 5], { range: [-5, 5], kinks: [-3, 3] })]));
    const report = await gc.run();
    expect(report.failures).toEqual([]);
    expect(report.checks).toBe(3 * 2 + 3 * 2 + 2 + 2 + 2 * 2 + 4 * 2);
  });

  it('Clip with min/max inputs, either omitted, and min/max as differentiated inputs', async () => {
    const gc = new GradCheck({ seed: 12 });
    const s = (): number[] => randShape(gc.rng, 3, 1, 5);
    gc.case('Clip min max', (c) => c.op('Clip', [c.input(s()), c.floats([-0.4], []), c.floats([0.5], [])]));
    gc.case('Clip min only', (c) => c.op('Clip', [c.input(s()), c.floats([-0.3], [])]));
    gc.case('Clip max only', (c) => c.op('Clip', [c.input(s()), '', c.floats([0.2], [])]));
    gc.case('Clip none', (c) => c.op('Clip', [c.input(s())]));
    gc.case('Clip grad to min and max', (c) => c.op('Clip', [c.input([3, 5, 7]), c.input([], { values: [-0.35] }), c.input([], { values: [0.45] })]));
    const report = await gc.run();
    expect(report.failures).toEqual([]);
    expect(report.checks).toBe(14);
  });

  it('Add, Sub, Mul, Div, Pow with broadcasting (walker un-broadcasts)', async () => {
    const gc = new GradCheck({ seed: 13 });
    for (let k = 0; k < 4; k++) {
      for (const op of ['Add', 'Sub', 'Mul']) {
        const [a, b] = broadcastPair(gc.rng);
        gc.case(`${op} ${k} [${a}] [${b}]`, (c) => c.op(op, [c.input(a), c.input(b)]));
      }
      const [a, b] = broadcastPair(gc.rng);
      gc.case(`Div ${k} [${a}] [${b}]`, (c) => c.op('Div', [c.input(a), c.input(b, { range: [0.5, 2] })]));
      const [p, q] = broadcastPair(gc.rng);
      gc.case(`Pow ${k} [${p}] [${q}]`, (c) => c.op('Pow', [c.input(p, { range: [0.5, 2] }), c.input(q, { range: [-1.5, 2.5] })]));
    }
    gc.case('Pow constant float exponent', (c) => c.op('Pow', [c.input([4, 3], { range: [0.5, 2] }), c.floats([3], [])]));
    gc.case('Pow int64 exponent', (c) => c.op('Pow', [c.input([5], { range: [-2, 2] }), c.const(makeTensor('int64', [], [3]))]));
    gc.case('Mul same value twice', (c) => {
      const x = c.input([3, 3]);
      return c.op('Mul', [x, x]);
    });
    const report = await gc.run();
    expect(report.failures).toEqual([]);
  });

  it('Where (no gradient to the condition), Sum, Max, Min, Dropout', async () => {
    const gc = new GradCheck({ seed: 14 });
    const bools = (dims: number[]): ReturnType<typeof makeTensor> => makeTensor('bool', dims, Array.from({ length: dims.reduce((a, b) => a * b, 1) }, () => (gc.rng() < 0.5 ? 1 : 0)));
    gc.case('Where broadcast', (c) => c.op('Where', [c.const(bools([3, 1, 5])), c.input([4, 5]), c.input([3, 4, 1])]));
    gc.case('Sum variadic broadcast', (c) => c.op('Sum', [c.input([2, 3]), c.input([3]), c.input([1, 1])]));
    gc.case('Max', (c) => c.op('Max', [c.input([3, 4]), c.input([4])]));
    gc.case('Min', (c) => c.op('Min', [c.input([3, 1, 5]), c.input([2, 5]), c.input([1])]));
    gc.case('Dropout (inference)', (c) => c.op('Dropout', [c.input([5, 3])]));
    const report = await gc.run();
    expect(report.failures).toEqual([]);
  });

  it('the harness catches a wrong gradient', async () => {
    const { gradRules } = await import('../../src/autodiff/index.js');
    const right = gradRules['Tanh']!;
    // A plausible bug: forgetting the chain factor (1 − y²).
    gradRules['Tanh'] = (_e, _n, dy) => [dy[0]!];
    try {
      const gc = new GradCheck({ seed: 15 });
      gc.case('Tanh wrong', (c) => c.op('Tanh', [c.input([pick(gc.rng, [3, 5]), 4], { range: [-2, 2] })]));
      const report = await gc.run();
      expect(report.failures.length).toBe(2);
      expect(report.failures[0]).toMatch(/^Tanh wrong: input 0 direction 0: finite difference/);
    } finally {
      gradRules['Tanh'] = right;
    }
  });
});
