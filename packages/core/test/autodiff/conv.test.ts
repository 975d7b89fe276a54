/**
 * Gradient checks of Conv and ConvTranspose against central finite differences through
 * onnxruntime: 1D/2D/3D, odd sizes, strides 1-3, dilation, asymmetric pads, auto_pad, groups and
 * depthwise (with a channel multiplier). onnxruntime's Conv is float32-only, hence float32 checks.
 */
import { describe, expect, it } from 'vitest';
import { grad } from '../../src/autodiff/index.js';
import { attr, type Attribute } from '../../src/graph/index.js';
import { GradCheck, type CaseBuilder } from './gradcheck.js';

interface ConvCase {
  x: number[];
  w: number[];
  bias?: boolean;
  attrs?: Record<string, Attribute>;
}

const ints = (v: readonly number[]): Attribute => attr.ints(v);

function conv(c: CaseBuilder, k: ConvCase): string {
  const inputs = [c.input(k.x), c.input(k.w)];
  if (k.bias) inputs.push(c.input([k.w[0]!]));
  return c.op('Conv', inputs, k.attrs ?? {});
}

function convT(c: CaseBuilder, k: ConvCase): string {
  const inputs = [c.input(k.x), c.input(k.w)];
  if (k.bias) inputs.push(c.input([k.w[1]! * ((k.attrs?.['group']?.value as number | undefined) ?? 1)]));
  return c.op('ConvTranspose', inputs, k.attrs ?? {});
}

async function check(seed: number, cases: Record<string, ConvCase>, op: (c: CaseBuilder, k: ConvCase) => string): Promise<number> {
  const gc = new GradCheck({ seed, dtype: 'float32', directions: 2 });
  for (const [label, k] of Object.entries(cases)) gc.case(label, (c) => op(c, k));
  const report = await gc.run();
  expect(report.failures).toEqual([]);
  return report.checks;
}

describe('Conv gradient rule', () => {
  it('2D: odd sizes, strides 1-3, asymmetric pads, dilation, 1×1, rectangular kernels', async () => {
    const checks = await check(
      21,
      {
        's1 pad1 bias': { x: [2, 3, 5, 7], w: [4, 3, 3, 3], bias: true, attrs: { pads: ints([1, 1, 1, 1]) } },
        's2 odd asym pads': { x: [2, 3, 7, 9], w: [5, 3, 3, 3], bias: true, attrs: { strides: ints([2, 2]), pads: ints([0, 1, 2, 1]) } },
        's2 even no pad': { x: [1, 2, 8, 6], w: [3, 2, 3, 3], attrs: { strides: ints([2, 2]) } },
        's3 kernel 2 (kernel < stride)': { x: [2, 2, 8, 7], w: [3, 2, 2, 2], attrs: { strides: ints([3, 3]), pads: ints([1, 0, 0, 1]) } },
        's1×2 mixed strides': { x: [1, 3, 6, 9], w: [2, 3, 3, 2], attrs: { strides: ints([1, 2]), pads: ints([1, 0, 1, 1]) } },
        'dilation 2 s1': { x: [2, 2, 9, 8], w: [3, 2, 3, 3], attrs: { dilations: ints([2, 2]), pads: ints([2, 2, 2, 2]) } },
        'dilation 2 s2': { x: [1, 2, 11, 9], w: [3, 2, 3, 3], attrs: { dilations: ints([2, 1]), strides: ints([2, 2]), pads: ints([1, 1, 0, 2]) } },
        '1×1 s2': { x: [2, 4, 5, 5], w: [3, 4, 1, 1], bias: true, attrs: { strides: ints([2, 2]) } },
        'pads larger than kernel': { x: [1, 2, 4, 5], w: [2, 2, 2, 2], attrs: { pads: ints([3, 2, 2, 3]) } },
      },
      conv,
    );
    expect(checks).toBeGreaterThan(9 * 2 * 2);
  });

  it('2D groups, depthwise and channel multipliers, stride 1 and 2', async () => {
    await check(
      22,
      {
        'groups 2 s1': { x: [2, 4, 5, 6], w: [6, 2, 3, 3], bias: true, attrs: { group: attr.int(2), pads: ints([1, 1, 1, 1]) } },
        'groups 2 s2': { x: [2, 4, 7, 6], w: [4, 2, 3, 3], attrs: { group: attr.int(2), strides: ints([2, 2]), pads: ints([1, 1, 1, 1]) } },
        'groups 3 dilated s2': { x: [1, 6, 9, 9], w: [3, 2, 3, 3], attrs: { group: attr.int(3), strides: ints([2, 2]), dilations: ints([2, 2]), pads: ints([2, 1, 2, 1]) } },
        'depthwise s1': { x: [2, 3, 6, 5], w: [3, 1, 3, 3], bias: true, attrs: { group: attr.int(3), pads: ints([1, 1, 1, 1]) } },
        'depthwise s2 odd': { x: [2, 4, 7, 9], w: [4, 1, 3, 3], attrs: { group: attr.int(4), strides: ints([2, 2]), pads: ints([1, 1, 1, 1]) } },
        'depthwise ×2 multiplier': { x: [1, 3, 6, 7], w: [6, 1, 3, 3], attrs: { group: attr.int(3), strides: ints([2, 1]), pads: ints([1, 0, 1, 2]) } },
        'depthwise 5×5 dilated': { x: [1, 2, 9, 9], w: [2, 1, 5, 5], attrs: { group: attr.int(2), dilations: ints([2, 2]), pads: ints([4, 4, 4, 4]) } },
      },
      conv,
    );
  });

  it('auto_pad SAME_UPPER, SAME_LOWER and VALID', async () => {
    await check(
      23,
      {
        'SAME_UPPER s2 odd': { x: [1, 2, 7, 8], w: [3, 2, 3, 3], attrs: { auto_pad: attr.string('SAME_UPPER'), strides: ints([2, 2]) } },
        'SAME_LOWER s2 odd': { x: [1, 2, 7, 8], w: [3, 2, 2, 2], attrs: { auto_pad: attr.string('SAME_LOWER'), strides: ints([2, 2]) } },
        'SAME_UPPER s1 even kernel': { x: [2, 2, 5, 6], w: [2, 2, 4, 2], attrs: { auto_pad: attr.string('SAME_UPPER') } },
        'VALID s2': { x: [1, 3, 8, 7], w: [2, 3, 3, 3], attrs: { auto_pad: attr.string('VALID'), strides: ints([2, 2]) } },
      },
      conv,
    );
  });

  it('1D and 3D: stride 1-3, dilation, groups (strided: polyphase or zero insertion, never ConvTranspose)', async () => {
    await check(
      24,
      {
        '1D s1': { x: [2, 3, 9], w: [4, 3, 3], bias: true, attrs: { pads: ints([1, 1]) } },
        '1D s2 dilated': { x: [2, 2, 11], w: [3, 2, 3], attrs: { strides: ints([2]), dilations: ints([2]), pads: ints([2, 1]) } },
        '3D s1': { x: [1, 2, 4, 5, 3], w: [3, 2, 3, 3, 3], bias: true, attrs: { pads: ints([1, 1, 1, 1, 1, 1]) } },
        '3D s2 odd': { x: [2, 2, 5, 7, 6], w: [3, 2, 3, 3, 3], attrs: { strides: ints([2, 2, 2]), pads: ints([1, 1, 1, 1, 0, 1]) } },
        '3D s(1,2,2) groups': { x: [1, 4, 3, 6, 5], w: [4, 2, 1, 3, 3], attrs: { group: attr.int(2), strides: ints([1, 2, 2]), pads: ints([0, 1, 1, 0, 1, 1]) } },
        '3D depthwise dilated': { x: [1, 3, 5, 6, 6], w: [3, 1, 3, 2, 3], attrs: { group: attr.int(3), dilations: ints([1, 2, 2]), pads: ints([1, 1, 2, 1, 1, 2]) } },
        '3D depthwise s2 (polyphase)': { x: [1, 3, 5, 6, 7], w: [3, 1, 3, 3, 2], attrs: { group: attr.int(3), strides: ints([2, 2, 3]), pads: ints([1, 0, 1, 1, 1, 0]) } },
        '3D s2 dilated (zero insertion)': { x: [1, 2, 7, 5, 6], w: [2, 2, 3, 2, 2], attrs: { strides: ints([2, 1, 2]), dilations: ints([2, 1, 2]), pads: ints([2, 0, 1, 1, 1, 0]) } },
      },
      conv,
    );
  });
});

describe('ConvTranspose gradient rule', () => {
  it('2D: strides, output_padding, pads, dilation, groups, output_shape, auto_pad', async () => {
    await check(
      25,
      {
        's1 pads': { x: [2, 3, 4, 5], w: [3, 2, 3, 3], bias: true, attrs: { pads: ints([1, 1, 1, 1]) } },
        's2 output_padding': { x: [2, 3, 4, 3], w: [3, 4, 3, 3], bias: true, attrs: { strides: ints([2, 2]), pads: ints([1, 1, 1, 1]), output_padding: ints([1, 0]) } },
        's2 kernel 2 (upsampling)': { x: [1, 4, 3, 5], w: [4, 2, 2, 2], attrs: { strides: ints([2, 2]) } },
        's3 dilated asym pads': { x: [1, 2, 3, 4], w: [2, 3, 3, 2], attrs: { strides: ints([3, 2]), dilations: ints([2, 1]), pads: ints([1, 0, 2, 1]) } },
        'groups 2 s2': { x: [2, 4, 3, 3], w: [4, 3, 3, 3], attrs: { group: attr.int(2), strides: ints([2, 2]), pads: ints([0, 1, 1, 0]) } },
        'depthwise s2': { x: [1, 3, 4, 4], w: [3, 1, 4, 4], attrs: { group: attr.int(3), strides: ints([2, 2]), pads: ints([1, 1, 1, 1]) } },
        'output_shape': { x: [1, 2, 3, 4], w: [2, 3, 3, 3], attrs: { strides: ints([2, 2]), output_shape: ints([6, 9]) } },
        'SAME_UPPER s2': { x: [1, 2, 3, 4], w: [2, 2, 3, 3], attrs: { strides: ints([2, 2]), auto_pad: attr.string('SAME_UPPER') } },
        'SAME_LOWER s2': { x: [1, 2, 3, 3], w: [2, 2, 4, 3], attrs: { strides: ints([2, 2]), auto_pad: attr.string('SAME_LOWER') } },
      },
      convT,
    );
  });

  it('1D and 3D (the rule emits no ConvTranspose)', async () => {
    await check(
      26,
      {
        '1D s2': { x: [2, 3, 5], w: [3, 2, 3], bias: true, attrs: { strides: ints([2]), pads: ints([1, 0]), output_padding: ints([1]) } },
        '3D s2': { x: [1, 2, 2, 3, 2], w: [2, 2, 3, 3, 2], attrs: { strides: ints([2, 2, 2]), pads: ints([1, 1, 0, 1, 0, 1]) } },
      },
      convT,
    );
  });
});

describe('conv gradient graphs', () => {
  it('never emit a 3D ConvTranspose (onnxruntime runs it an order of magnitude slower than Conv)', () => {
    const gc = new GradCheck({ dtype: 'float32' });
    gc.case('3D conv s2', (c) => conv(c, { x: [1, 2, 5, 6, 7], w: [3, 2, 3, 3, 3], attrs: { strides: ints([2, 2, 2]), pads: ints([1, 1, 1, 1, 1, 1]) } }));
    gc.case('3D convT s2', (c) => convT(c, { x: [1, 2, 3, 3, 4], w: [2, 3, 3, 3, 3], attrs: { strides: ints([2, 2, 2]) } }));
    expect(gc.g.outputs.length).toBe(2);
    for (const loss of gc.g.outputs) {
      const { graph } = grad(gc.g, loss, gc.g.inputs);
      const forward = new Set(gc.g.nodes.map((n) => n.name));
      const backward = graph.nodes.filter((n) => !forward.has(n.name));
      expect(backward.some((n) => n.opType === 'Conv')).toBe(true);
      expect(backward.filter((n) => n.opType === 'ConvTranspose')).toEqual([]);
    }
  });
});
