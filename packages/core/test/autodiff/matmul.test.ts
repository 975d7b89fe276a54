/** Gradient checks of MatMul (batched, broadcast, 1-D) and Gemm (transA/transB/alpha/beta, C broadcast). */
import { describe, expect, it } from 'vitest';
import { attr } from '../../src/graph/index.js';
import { GradCheck, randInt } from './gradcheck.js';

describe('matrix product gradient rules', () => {
  it('Einsum: explicit and implicit outputs, summed-away labels, three operands, size-1 broadcast', async () => {
    const gc = new GradCheck({ seed: 43 });
    const cases: [string, number[][]][] = [
      ['ij,jk->ik', [[3, 4], [4, 5]]],
      ['bij,bjk->bik', [[2, 3, 5], [2, 5, 1]]],
      ['ij,jk', [[3, 4], [4, 2]]],
      ['ij->j', [[3, 5]]],
      ['ij->ji', [[3, 5]]],
      ['i,j->ij', [[3], [4]]],
      ['ijk,k->i', [[2, 3, 5], [5]]],
      ['ij,jk,kl->il', [[2, 3], [3, 4], [4, 5]]],
      ['nchw,ck->nkhw', [[2, 3, 2, 3], [3, 4]]],
      ['ij,ij->ij', [[3, 1], [3, 4]]],
    ];
    for (const [eq, shapes] of cases) gc.case(`Einsum ${eq}`, (c) => c.op('Einsum', shapes.map((s) => c.input(s)), { equation: attr.string(eq) }));
    const report = await gc.run();
    expect(report.failures).toEqual([]);
  });

  it('MatMul: 2-D, batched, broadcast batch, 1-D operands', async () => {
    const gc = new GradCheck({ seed: 41 });
    const cases: [number[], number[]][] = [
      [[3, 5], [5, 7]],
      [[1, 4], [4, 1]],
      [[2, 3, 5], [2, 5, 4]],
      [[2, 3, 5], [5, 4]],
      [[3, 5], [2, 5, 4]],
      [[2, 1, 3, 5], [4, 5, 3]],
      [[5], [5, 3]],
      [[5], [2, 5, 3]],
      [[3, 5], [5]],
      [[2, 3, 5], [5]],
      [[5], [5]],
    ];
    for (const [a, b] of cases) gc.case(`MatMul [${a}] x [${b}]`, (c) => c.op('MatMul', [c.input(a), c.input(b)]));
    for (let k = 0; k < 4; k++) {
      const [m, kk, n] = [randInt(gc.rng, 1, 6), randInt(gc.rng, 1, 6), randInt(gc.rng, 1, 6)];
      const batch = [randInt(gc.rng, 1, 3), randInt(gc.rng, 1, 3)];
      const bb = batch.map((d) => (gc.rng() < 0.5 ? 1 : d));
      gc.case(`MatMul random [${batch},${m},${kk}] x [${bb},${kk},${n}]`, (c) => c.op('MatMul', [c.input([...batch, m, kk]), c.input([...bb, kk, n])]));
    }
    gc.case('MatMul x·xᵀ (one value, two uses)', (c) => {
      const x = c.input([3, 4]);
      return c.op('MatMul', [x, c.op('Transpose', [x], { perm: attr.ints([1, 0]) })]);
    });
    const report = await gc.run();
    expect(report.failures).toEqual([]);
    expect(report.checks).toBe((11 + 4) * 2 * 2 + 2);
  });

  it('Gemm: every transA/transB, alpha, beta, C of every broadcast shape or absent', async () => {
    const gc = new GradCheck({ seed: 42 });
    const cShapes: (number[] | null)[] = [null, [3, 5], [5], [1, 5], [3, 1], [1], []];
    let k = 0;
    for (const ta of [0, 1]) {
      for (const tb of [0, 1]) {
        for (const cs of cShapes) {
          const [m, kk, n] = [3, 4, 5];
          const alpha = [1, 0.7, -1.3][k % 3]!;
          const beta = [1, 0.5, 2][k++ % 3]!;
          gc.case(`Gemm transA ${ta} transB ${tb} C [${cs}] alpha ${alpha} beta ${beta}`, (c) => {
            const inputs = [c.input(ta ? [kk, m] : [m, kk]), c.input(tb ? [n, kk] : [kk, n])];
            if (cs) inputs.push(c.input(cs));
            return c.op('Gemm', inputs, { transA: attr.int(ta), transB: attr.int(tb), alpha: attr.float(alpha), beta: attr.float(beta) });
          });
        }
      }
    }
    const report = await gc.run();
    expect(report.failures).toEqual([]);
  });
});
