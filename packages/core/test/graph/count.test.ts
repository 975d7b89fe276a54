/** Params/MACs counter checked against hand-computed counts. */
import { describe, expect, it } from 'vitest';
import { countCost } from '../../src/flops/index.js';
import { GraphBuilder } from '../../src/graph/index.js';

describe('countCost', () => {
  it('counts Conv (grouped, strided), ConvTranspose, Gemm and MatMul MACs and PyTorch-style params', () => {
    const b = new GraphBuilder();
    const x = b.input('x', 'float32', ['N', 3, 'H', 'W']);
    const c1 = b.relu(b.batchNorm(b.conv(x, 8, { kernel: 3, stride: 2, padding: 1, bias: false })));
    const dw = b.conv(c1, 8, { kernel: 3, padding: 1, groups: 8 });
    const up = b.convTranspose(dw, 4, { kernel: 2, stride: 2 });
    const pooled = b.flatten(b.globalAvgPool(up));
    const fc = b.linear(pooled, 10);
    const mm = b.matmul(fc, b.constant(new Array(20).fill(1), [10, 2]));
    b.output(mm);
    const g = b.build();

    const cost = countCost(g, { inputShapes: { x: [2, 3, 32, 32] } });
    const conv1 = 2 * 8 * 16 * 16 * (3 * 9);
    const depthwise = 2 * 8 * 16 * 16 * (1 * 9);
    const deconv = 2 * 8 * 16 * 16 * (4 * 4);
    const gemm = 2 * 10 * 4;
    const matmul = 2 * 2 * 10;
    expect(cost.macs).toBe(conv1 + depthwise + deconv + gemm + matmul);
    expect(cost.nodes.filter((n) => n.macs > 0).map((n) => n.opType)).toEqual(['Conv', 'Conv', 'ConvTranspose', 'Gemm', 'MatMul']);
    // conv1 weight, BN weight+bias (running stats excluded), depthwise weight+bias, deconv w+b, linear w+b, matmul constant.
    expect(cost.params).toBe(8 * 3 * 9 + 2 * 8 + (8 * 9 + 8) + (8 * 4 * 4 + 4) + (10 * 4 + 10) + 20);
    // BN, Relu and GlobalAveragePool outputs count as elementwise work; Flatten does not.
    expect(cost.elementwise).toBe(2 * 8 * 16 * 16 * 2 + 2 * 4);
    expect(g.shape('x')).toEqual(['N', 3, 'H', 'W']);
  });

  it('needs static shapes for MAC ops and names the node otherwise', () => {
    const b = new GraphBuilder();
    b.output(b.conv(b.input('x', 'float32', ['N', 3, 'H', 'W']), 4));
    expect(() => countCost(b.build())).toThrow(/\(Conv\): shapes are not static; pass inputShapes/);
    expect(() => countCost(b.graph, { inputShapes: { y: [1] } })).toThrow(/graph input/);
  });
});
