import { describe, expect, it } from 'vitest';
import { encodeOnnx, GraphBuilder, inferShapes, validateGraph, type Graph } from '@stereo-sdk/core';
import { COST_VOLUME_METHODS, correlationVolume, type CostVolumeOptions } from '@stereo-sdk/stereo';
import { maxAbsDiff, naiveCorrelation, randomTensor, runGraph } from './helpers.js';

function volumeGraph(dims: number[], opts: CostVolumeOptions): Graph {
  const b = new GraphBuilder({ name: 'cv' });
  const l = b.input('left', 'float32', dims);
  const r = b.input('right', 'float32', dims);
  b.output(correlationVolume(b, l, r, opts), 'cost');
  return b.build();
}

/** Naive [N, G, D, H, W] rearranged like the requested layout and order. */
function expected(naive: Float32Array, [n, g, d, h, w]: number[], descending: boolean): Float32Array {
  const out = new Float32Array(naive.length);
  const plane = h * w;
  for (let b = 0; b < n * g; b++) {
    for (let k = 0; k < d; k++) out.set(naive.subarray((b * d + k) * plane, (b * d + k + 1) * plane), (b * d + (descending ? d - 1 - k : k)) * plane);
  }
  return out;
}

describe('correlationVolume', () => {
  const cases: { groups: number; disparities: number; dims: number[] }[] = [
    { groups: 1, disparities: 5, dims: [1, 8, 3, 11] },
    { groups: 2, disparities: 4, dims: [2, 8, 2, 9] },
  ];
  for (const method of COST_VOLUME_METHODS) {
    for (const { groups, disparities, dims } of cases) {
      for (const order of ['ascending', 'descending'] as const) {
        it(`${method}, G=${groups}, D=${disparities}, ${order}: equals a naive correlation, 2d and 3d layouts`, async () => {
          const left = randomTensor(dims, 1);
          const right = randomTensor(dims, 2);
          const [n, , h, w] = dims as [number, number, number, number];
          const want = expected(naiveCorrelation(left, right, disparities, groups), [n, groups, disparities, h, w], order === 'descending');
          for (const layout of ['2d', '3d'] as const) {
            const g = volumeGraph(dims, { disparities, groups, method, order, layout });
            const shape = layout === '2d' ? [n, groups * disparities, h, w] : [n, groups, disparities, h, w];
            expect(g.staticShape('cost')).toEqual(shape);
            const { cost } = await runGraph(g, { left, right });
            expect(cost!.dims).toEqual(shape);
            expect(maxAbsDiff(cost!.data as Float32Array, want)).toBeLessThan(1e-5);
          }
        });
      }
    }
  }

  it('matmul handles more disparities than the feature width (zeros beyond the left edge)', async () => {
    const dims = [1, 4, 2, 5];
    const left = randomTensor(dims, 3);
    const right = randomTensor(dims, 4);
    const { cost } = await runGraph(volumeGraph(dims, { disparities: 8 }), { left, right });
    expect(maxAbsDiff(cost!.data as Float32Array, naiveCorrelation(left, right, 8, 1))).toBeLessThan(1e-5);
  });

  it('matmul runs at a size other than the one it was built at once H and W are symbolic', async () => {
    const g = volumeGraph([1, 8, 3, 11], { disparities: 6, groups: 2, layout: '2d' });
    for (const v of ['left', 'right']) g.setType(v, { dtype: 'float32', shape: ['N', 8, 'H', 'W'] });
    inferShapes(g, { reset: true });
    validateGraph(g);
    const dims = [2, 8, 5, 17];
    const left = randomTensor(dims, 5);
    const right = randomTensor(dims, 6);
    const { cost } = await runGraph(encodeOnnx(g), { left, right });
    expect(cost!.dims).toEqual([2, 12, 5, 17]);
    expect(maxAbsDiff(cost!.data as Float32Array, naiveCorrelation(left, right, 6, 2))).toBeLessThan(1e-5);
  });

  it('rejects mismatched features and groups that do not divide the channels', () => {
    const b = new GraphBuilder();
    const l = b.input('l', 'float32', [1, 6, 2, 4]);
    const r = b.input('r', 'float32', [1, 6, 2, 5]);
    expect(() => correlationVolume(b, l, r, { disparities: 2 })).toThrow(/same \[N, C, H, W\]/);
    expect(() => correlationVolume(b, l, l, { disparities: 2, groups: 4 })).toThrow(/groups 4 must divide/);
    expect(() => correlationVolume(b, l, l, { disparities: 0 })).toThrow(/disparities/);
    expect(() => correlationVolume(b, l, l, { disparities: 2, method: 'fft' as never })).toThrow(/method/);
  });
});
