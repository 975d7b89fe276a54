/**
 * The chunked im2col weight gradient against a direct-sum reference in JS: chunks over the batch
 * and over output rows (the path large layers take) must give the same dW as one chunk.
 */
import { describe, expect, it } from 'vitest';
import { createEmitter } from '../../src/autodiff/emitter.js';
import { convWeightGrad } from '../../src/autodiff/rules/conv-weight.js';
import { nodeWindow, type Window } from '../../src/autodiff/rules/conv-window.js';
import { addInferredNode, attr, Graph, type Attribute, type Tensor } from '../../src/graph/index.js';
import { createRng, maxAbsDiff, randomTensor, runGraph } from '../graph/helpers.js';

/** Row-major strides of a shape. */
const stridesOf = (dims: readonly number[]): number[] => dims.map((_, i) => dims.slice(i + 1).reduce((a, b) => a * b, 1));

/** dW[m, c, k] = Σ_{n,o} dY[n, m, o]·X[n, g·C/g + c, o·s + k·d − pb], by direct summation. */
function referenceWeightGrad(x: Tensor, dy: Tensor, wDims: readonly number[], win: Window, group: number): Float64Array {
  const [n, ch, ...xs] = x.dims as number[];
  const [, m, ...o] = dy.dims as number[];
  const [, cg, ...k] = wDims as number[];
  const [sx, sy, sw] = [stridesOf(x.dims), stridesOf(dy.dims), stridesOf(wDims)];
  const out = new Float64Array(wDims.reduce((a, b) => a * b, 1));
  const mg = m! / group;
  const forEachIndex = (dims: readonly number[], f: (idx: number[]) => void): void => {
    const total = dims.reduce((a, b) => a * b, 1);
    for (let flat = 0; flat < total; flat++) f(dims.map((d, i) => Math.floor(flat / stridesOf(dims)[i]!) % d));
  };
  for (let b = 0; b < n!; b++) {
    for (let oc = 0; oc < m!; oc++) {
      for (let c = 0; c < cg!; c++) {
        const ic = Math.floor(oc / mg) * cg! + c;
        forEachIndex(k, (kk) =>
          forEachIndex(o, (oo) => {
            const pos = oo.map((v, i) => v * win.strides[i]! + kk[i]! * win.dilations[i]! - win.padsBegin[i]!);
            if (pos.some((p, i) => p < 0 || p >= xs[i]!)) return;
            const xi = b * sx[0]! + ic * sx[1]! + pos.reduce((a, p, i) => a + p * sx[i + 2]!, 0);
            const yi = b * sy[0]! + oc * sy[1]! + oo.reduce((a, p, i) => a + p * sy[i + 2]!, 0);
            const wi = oc * sw[0]! + c * sw[1]! + kk.reduce((a, p, i) => a + p * sw[i + 2]!, 0);
            out[wi]! += Number(x.data[xi]) * Number(dy.data[yi]);
          }),
        );
      }
    }
  }
  return out;
}

async function compare(seed: number, xDims: number[], wDims: number[], attrs: Record<string, Attribute>, budgets: number[]): Promise<void> {
  const rng = createRng(seed);
  const g = new Graph('dw');
  g.opsetImports.set('', 20);
  g.addInput('x', { dtype: 'float32', shape: xDims });
  g.addInput('w', { dtype: 'float32', shape: wDims });
  const node = addInferredNode(g, { opType: 'Conv', inputs: ['x', 'w'], outputs: ['y'], attributes: attrs });
  const yDims = g.staticShape('y');
  g.addInput('dy', { dtype: 'float32', shape: yDims });
  const win = nodeWindow(node, xDims.slice(2), wDims.slice(2));
  const group = (attrs['group']?.value as number | undefined) ?? 1;
  const e = createEmitter(g);
  const outs = budgets.map((b) => convWeightGrad(e, 'x', 'dy', wDims, win, group, b));
  outs.forEach((o) => g.addOutput(o));
  g.removeNode(node);
  g.removeInput('w');
  const feeds = { x: randomTensor(rng, 'float32', xDims), dy: randomTensor(rng, 'float32', yDims) };
  const result = await runGraph(g, feeds);
  const want = referenceWeightGrad(feeds.x, feeds.dy, wDims, win, group);
  for (const [i, o] of outs.entries()) {
    expect(result[o]!.dims).toEqual(wDims);
    expect(maxAbsDiff(result[o]!.data as Float32Array, want), `budget ${budgets[i]}`).toBeLessThan(1e-4);
  }
}

describe('conv weight gradient (im2col chunks)', () => {
  it('2D stride 2: one chunk, batch chunks and row chunks agree with direct summation', async () => {
    // Per sample the columns are C·T·O = 2·9·(4·3) = 216 elements, 54 per output row.
    await compare(31, [3, 2, 7, 6], [4, 2, 3, 3], { strides: attr.ints([2, 2]), pads: attr.ints([1, 1, 1, 1]) }, [1 << 22, 500, 110, 54]);
  });

  it('2D dilated depthwise and 3D grouped, with row chunks', async () => {
    await compare(32, [2, 3, 9, 8], [6, 1, 3, 3], { group: attr.int(3), dilations: attr.ints([2, 1]), pads: attr.ints([2, 0, 1, 1]) }, [1 << 22, 200]);
    await compare(33, [1, 4, 5, 4, 3], [2, 2, 3, 2, 2], { group: attr.int(2), strides: attr.ints([2, 1, 1]), pads: attr.ints([1, 0, 1, 0, 1, 0]) }, [1 << 22, 150]);
  });
});
