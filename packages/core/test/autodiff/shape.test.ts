/** Gradient checks of the shape-moving rules: Reshape family, Transpose, Expand, Tile, Concat, Split, Slice, Pad. */
import { describe, expect, it } from 'vitest';
import { attr } from '../../src/graph/index.js';
import { GradCheck, pick, randInt, randShape } from './gradcheck.js';

describe('shape gradient rules', () => {
  it('Reshape, Flatten, Squeeze, Unsqueeze, Transpose, Expand, Tile', async () => {
    const gc = new GradCheck({ seed: 21 });
    gc.case('Reshape', (c) => c.op('Reshape', [c.input([3, 5, 2]), c.ints([5, -1])]));
    gc.case('Reshape with 0', (c) => c.op('Reshape', [c.input([2, 3, 5]), c.ints([0, 15])]));
    gc.case('Flatten axis 2', (c) => c.op('Flatten', [c.input([2, 3, 5, 1])], { axis: attr.int(2) }));
    gc.case('Flatten axis 0', (c) => c.op('Flatten', [c.input([3, 5])], { axis: attr.int(0) }));
    gc.case('Squeeze axes', (c) => c.op('Squeeze', [c.input([3, 1, 5, 1]), c.ints([1, -1])]));
    gc.case('Squeeze all', (c) => c.op('Squeeze', [c.input([1, 7, 1])]));
    gc.case('Unsqueeze', (c) => c.op('Unsqueeze', [c.input([3, 5]), c.ints([0, 3])]));
    for (let k = 0; k < 3; k++) {
      const rank = randInt(gc.rng, 2, 4);
      const perm = [...Array(rank).keys()].sort(() => gc.rng() - 0.5);
      const s = randShape(gc.rng, rank, 1, 5);
      gc.case(`Transpose ${perm}`, (c) => c.op('Transpose', [c.input(s)], { perm: attr.ints(perm) }));
    }
    gc.case('Transpose default perm', (c) => c.op('Transpose', [c.input([2, 3, 5])]));
    gc.case('Expand rank and ones', (c) => c.op('Expand', [c.input([3, 1]), c.ints([2, 3, 5])]));
    gc.case('Expand to smaller shape', (c) => c.op('Expand', [c.input([1, 4, 3]), c.ints([5, 1, 3])]));
    gc.case('Tile', (c) => c.op('Tile', [c.input([2, 3, 1]), c.ints([3, 1, 4])]));
    const report = await gc.run();
    expect(report.failures).toEqual([]);
    expect(report.checks).toBe(14 * 2);
  });

  it('Concat and Split (outputs partly unused, num_outputs, uneven sizes)', async () => {
    const gc = new GradCheck({ seed: 22 });
    gc.case('Concat axis 1', (c) => c.op('Concat', [c.input([2, 3, 4]), c.input([2, 1, 4]), c.input([2, 5, 4])], { axis: attr.int(1) }));
    gc.case('Concat axis -1 single', (c) => c.op('Concat', [c.input([3, 5])], { axis: attr.int(-1) }));
    gc.case('Concat same value twice', (c) => {
      const x = c.input([3, 2]);
      return c.op('Concat', [x, x, c.input([3, 3])], { axis: attr.int(1) });
    });
    gc.case('Split sizes', (c) => c.opN('Split', [c.input([7, 3]), c.ints([2, 4, 1])], 3, { axis: attr.int(0) }));
    gc.case('Split num_outputs uneven', (c) => c.opN('Split', [c.input([2, 7])], 3, { axis: attr.int(1), num_outputs: attr.int(3) }));
    gc.case('Split only middle used', (c) => [c.opN('Split', [c.input([3, 9]), c.ints([3, 3, 3])], 3, { axis: attr.int(-1) })[1]!]);
    const report = await gc.run();
    expect(report.failures).toEqual([]);
  });

  it('Slice with random starts, ends, axes and steps (negative too)', async () => {
    const gc = new GradCheck({ seed: 23 });
    for (let k = 0; k < 24; k++) {
      const rank = randInt(gc.rng, 1, 4);
      const shape = randShape(gc.rng, rank, 1, 9);
      const axes = [...Array(rank).keys()].filter(() => gc.rng() < 0.7);
      if (axes.length === 0) axes.push(rank - 1);
      const starts: number[] = [];
      const ends: number[] = [];
      const steps: number[] = [];
      for (const a of axes) {
        const d = shape[a]!;
        const step = pick(gc.rng, [1, 1, 2, 3, -1, -2, -3]);
        steps.push(step);
        // Out-of-range and negative bounds exercise the spec's clamping.
        starts.push(randInt(gc.rng, -d - 2, d + 1));
        ends.push(step > 0 ? randInt(gc.rng, -d, d + 3) : randInt(gc.rng, -d - 3, d));
      }
      const useSteps = steps.some((s) => s !== 1) || gc.rng() < 0.5;
      const negAxes = axes.map((a) => (gc.rng() < 0.3 ? a - rank : a));
      gc.case(`Slice [${shape}] axes ${negAxes} starts ${starts} ends ${ends} steps ${steps}`, (c) => {
        const inputs = [c.input(shape), c.ints(starts), c.ints(ends), c.ints(negAxes)];
        if (useSteps) inputs.push(c.ints(steps));
        return c.op('Slice', inputs);
      });
    }
    gc.case('Slice empty result', (c) => c.op('Slice', [c.input([5, 4]), c.ints([3, 0]), c.ints([1, 4]), c.ints([0, 1])]));
    gc.case('Slice without axes', (c) => c.op('Slice', [c.input([6, 5]), c.ints([1, 0]), c.ints([5, 4])]));
    gc.case('Slice reverse whole axis', (c) => c.op('Slice', [c.input([4, 5]), c.ints([-1]), c.ints([-9999]), c.ints([1]), c.ints([-1])]));
    const report = await gc.run();
    expect(report.failures).toEqual([]);
  });

  it('Pad constant mode with positive, negative and per-axis pads, and constant_value gradient', async () => {
    const gc = new GradCheck({ seed: 24 });
    gc.case('Pad positive', (c) => c.op('Pad', [c.input([2, 3, 5]), c.ints([0, 1, 2, 1, 0, 3])]));
    gc.case('Pad negative (crop)', (c) => c.op('Pad', [c.input([3, 7]), c.ints([-1, 2, 1, -3])]));
    gc.case('Pad axes input', (c) => c.op('Pad', [c.input([2, 3, 5]), c.ints([1, 2, 0, 1]), '', c.ints([2, -2])]));
    gc.case('Pad constant value learned', (c) => c.op('Pad', [c.input([3, 3]), c.ints([1, 0, 2, 1]), c.input([], { values: [0.3] })]));
    const report = await gc.run();
    expect(report.failures).toEqual([]);
    expect(report.checks).toBe(5 * 2);
  });
});
