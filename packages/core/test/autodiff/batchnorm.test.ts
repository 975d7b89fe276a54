/**
 * Gradient check of inference-form BatchNormalization against central finite differences through
 * onnxruntime, w.r.t. all five inputs (X, scale, B, mean, var), for ranks 2 to 5.
 */
import { describe, expect, it } from 'vitest';
import { grad } from '../../src/autodiff/index.js';
import { addInferredNode, attr, GraphValidationError, Graph } from '../../src/graph/index.js';
import { GradCheck, type CaseBuilder } from './gradcheck.js';

function bn(c: CaseBuilder, x: number[], epsilon?: number): string {
  const ch = [x[1]!];
  const inputs = [c.input(x), c.input(ch, { range: [0.5, 1.5] }), c.input(ch), c.input(ch), c.input(ch, { range: [0.3, 2] })];
  return c.op('BatchNormalization', inputs, epsilon === undefined ? {} : { epsilon: attr.float(epsilon) });
}

describe('BatchNormalization gradient rule', () => {
  it('w.r.t. X, scale, B, mean and var on ranks 2-5 with odd sizes', async () => {
    const gc = new GradCheck({ seed: 51 });
    gc.case('rank 4', (c) => bn(c, [2, 3, 5, 7]));
    gc.case('rank 2 (N, C)', (c) => bn(c, [5, 4]));
    gc.case('rank 3 eps 0.1', (c) => bn(c, [3, 2, 7], 0.1));
    gc.case('rank 5', (c) => bn(c, [1, 3, 2, 3, 4]));
    const report = await gc.run();
    expect(report.failures).toEqual([]);
    expect(report.checks).toBe(4 * 5 * 2);
  });

  it('refuses training_mode = 1 with an error naming the node', () => {
    const g = new Graph('bn');
    g.opsetImports.set('', 20);
    for (const [name, shape] of [['x', [2, 3, 4]], ['s', [3]], ['b', [3]], ['m', [3]], ['v', [3]]] as const) g.addInput(name, { dtype: 'float32', shape });
    addInferredNode(g, { opType: 'BatchNormalization', name: 'bn1', inputs: ['x', 's', 'b', 'm', 'v'], outputs: ['y'], attributes: { training_mode: attr.int(1) } });
    addInferredNode(g, { opType: 'ReduceSum', inputs: ['y'], outputs: ['loss'], attributes: { keepdims: attr.int(0) } });
    expect(() => grad(g, 'loss', ['x'])).toThrow(GraphValidationError);
    expect(() => grad(g, 'loss', ['x'])).toThrow(/bn1.*training_mode/);
  });
});
