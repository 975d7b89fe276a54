/** Gradient checks of Resize (every mode and coordinate transform, odd and non-integer scales), Gather and GatherElements. */
import { describe, expect, it } from 'vitest';
import { attr, makeTensor, type Attribute } from '../../src/graph/index.js';
import { GradCheck, randInt, randShape } from './gradcheck.js';

describe('Resize gradient rule', () => {
  it('linear, nearest and cubic with every coordinate transform, scales or sizes, 1-4 resized axes', async () => {
    // onnxruntime has no float64 Resize. Resize is linear in X, so float32 differences are exact
    // up to rounding.
    const gc = new GradCheck({ seed: 51, dtype: 'float32', eps: 0.05 });
    const transforms = ['half_pixel', 'pytorch_half_pixel', 'align_corners', 'asymmetric', 'half_pixel_symmetric'];
    const resize = (label: string, x: number[], attrs: Record<string, Attribute>, opts: { scales?: number[]; sizes?: number[] }): void =>
      gc.case(label, (c) => {
        const inputs = [c.input(x), ''];
        inputs.push(opts.scales ? c.const(makeTensor('float32', [opts.scales.length], opts.scales)) : '');
        if (opts.sizes) inputs.push(c.ints(opts.sizes));
        return c.op('Resize', inputs, attrs);
      });
    for (const t of transforms) {
      resize(`linear ${t} ×2`, [1, 2, 3, 5], { mode: attr.string('linear'), coordinate_transformation_mode: attr.string(t) }, { scales: [1, 1, 2, 2] });
      resize(`linear ${t} sizes`, [2, 1, 4, 3], { mode: attr.string('linear'), coordinate_transformation_mode: attr.string(t) }, { sizes: [2, 1, 7, 8] });
      resize(`cubic ${t}`, [1, 1, 5, 4], { mode: attr.string('cubic'), coordinate_transformation_mode: attr.string(t) }, { scales: [1, 1, 1.5, 2] });
    }
    resize('linear downsample ×0.5', [1, 2, 6, 7], { mode: attr.string('linear') }, { scales: [1, 1, 0.5, 0.5] });
    resize('linear 1-D axis', [3, 5], { mode: attr.string('linear') }, { scales: [1, 3] });
    resize('linear 5-D, 3 axes (trilinear)', [1, 2, 2, 3, 4], { mode: attr.string('linear') }, { scales: [1, 1, 2, 1.5, 2] });
    resize('linear axes attribute', [2, 3, 4], { mode: attr.string('linear'), axes: attr.ints([0, -1]) }, { scales: [2, 2] });
    resize('linear not_larger', [1, 1, 3, 5], { mode: attr.string('linear'), axes: attr.ints([2, 3]), keep_aspect_ratio_policy: attr.string('not_larger') }, { sizes: [6, 20] });
    for (const nm of ['round_prefer_floor', 'round_prefer_ceil', 'floor', 'ceil']) {
      resize(`nearest ${nm}`, [1, 2, 3, 5], { mode: attr.string('nearest'), nearest_mode: attr.string(nm), coordinate_transformation_mode: attr.string('asymmetric') }, { scales: [1, 1, 2.5, 1.6] });
    }
    resize('nearest half_pixel', [1, 1, 5, 3], { mode: attr.string('nearest') }, { sizes: [1, 1, 7, 9] });
    resize('cubic exclude_outside a=-0.5', [1, 1, 4, 6], { mode: attr.string('cubic'), exclude_outside: attr.int(1), cubic_coeff_a: attr.float(-0.5) }, { scales: [1, 1, 2, 0.5] });
    const report = await gc.run();
    expect(report.failures).toEqual([]);
    expect(report.checks).toBe((15 + 5 + 5 + 1) * 2);
  });

  it('names the node when a mode has no rule (antialias)', async () => {
    const gc = new GradCheck({ seed: 52, dtype: 'float32' });
    gc.case('antialias', (c) =>
      c.op('Resize', [c.input([1, 1, 4, 4]), '', c.const(makeTensor('float32', [4], [1, 1, 0.5, 0.5]))], { mode: attr.string('linear'), antialias: attr.int(1) }),
    );
    await expect(gc.run()).rejects.toThrow(/Node 'c0\/Resize' \(Resize\).*antialias has no gradient rule/);
  });
});

describe('gather gradient rules', () => {
  it('GatherElements and Gather with repeated and negative indices', async () => {
    const gc = new GradCheck({ seed: 53 });
    for (let k = 0; k < 4; k++) {
      const rank = randInt(gc.rng, 1, 3);
      const shape = randShape(gc.rng, rank, 1, 5);
      const axis = randInt(gc.rng, -rank, rank - 1);
      const a = axis < 0 ? axis + rank : axis;
      const idxShape = shape.map((d, i) => (i === a ? randInt(gc.rng, 1, 6) : randInt(gc.rng, 1, d)));
      const n = idxShape.reduce((p, d) => p * d, 1);
      const idx = Array.from({ length: n }, () => randInt(gc.rng, -shape[a]!, shape[a]! - 1));
      gc.case(`GatherElements [${shape}] axis ${axis} indices [${idxShape}]`, (c) =>
        c.op('GatherElements', [c.input(shape), c.const(makeTensor('int64', idxShape, idx))], { axis: attr.int(axis) }),
      );
    }
    for (let k = 0; k < 4; k++) {
      const rank = randInt(gc.rng, 1, 3);
      const shape = randShape(gc.rng, rank, 1, 5);
      const axis = randInt(gc.rng, -rank, rank - 1);
      const a = axis < 0 ? axis + rank : axis;
      const idxShape = randShape(gc.rng, randInt(gc.rng, 0, 2), 1, 4);
      const n = idxShape.reduce((p, d) => p * d, 1);
      const idx = Array.from({ length: n }, () => randInt(gc.rng, -shape[a]!, shape[a]! - 1));
      gc.case(`Gather [${shape}] axis ${axis} indices [${idxShape}] ${idx}`, (c) =>
        c.op('Gather', [c.input(shape), c.const(makeTensor('int64', idxShape, idx))], { axis: attr.int(axis) }),
      );
    }
    gc.case('Gather int32 indices, all repeated', (c) => c.op('Gather', [c.input([4, 3]), c.const(makeTensor('int32', [2, 2], [1, 1, 1, 1]))]));
    const report = await gc.run();
    expect(report.failures).toEqual([]);
    expect(report.checks).toBe(9 * 2);
  });
});
