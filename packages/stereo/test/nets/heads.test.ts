import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '@stereo-sdk/core';
import { bilinearUpsampleDisparity, convexUpsample, softArgmin, subpixelUpsample } from '@stereo-sdk/stereo';
import { maxAbsDiff, randomTensor, runGraph } from './helpers.js';

async function regress(logits: Float32Array, dims: number[], step?: number): Promise<Float32Array> {
  const b = new GraphBuilder();
  const x = b.input('logits', 'float32', dims);
  b.output(softArgmin(b, x, step === undefined ? {} : { step }), 'disparity');
  const { disparity } = await runGraph(b.build(), { logits: { type: 'float32', dims, data: logits } });
  expect(disparity!.dims).toEqual([dims[0], 1, dims[2], dims[3]]);
  return disparity!.data as Float32Array;
}

describe('softArgmin', () => {
  it('recovers the disparity of a peaked logit pattern, sub-pixel between two equal peaks', async () => {
    const [d, h, w] = [16, 3, 5];
    const logits = new Float32Array(d * h * w).fill(-50);
    const want = new Float32Array(h * w);
    for (let p = 0; p < h * w; p++) {
      const k = (p * 7) % (d - 1);
      logits[k * h * w + p] = 50;
      // Every third pixel: a second, equal peak one step further; the expectation is the midpoint.
      if (p % 3 === 0) logits[(k + 1) * h * w + p] = 50;
      want[p] = p % 3 === 0 ? k + 0.5 : k;
    }
    expect(maxAbsDiff(await regress(logits, [1, d, h, w]), want)).toBeLessThan(1e-4);
    expect(maxAbsDiff(await regress(logits, [1, d, h, w], 4), want.map((v) => 4 * v))).toBeLessThan(4e-4);
  });

  it('equals the softmax expectation on random logits, stable for large values', async () => {
    const dims = [2, 12, 2, 3];
    const t = randomTensor(dims, 7);
    const logits = (t.data as Float32Array).map((v) => v * 200);
    const [n, d, h, w] = dims as [number, number, number, number];
    const want = new Float32Array(n * h * w);
    for (let b = 0; b < n; b++) {
      for (let p = 0; p < h * w; p++) {
        const vals = Array.from({ length: d }, (_, k) => logits[(b * d + k) * h * w + p]!);
        const m = Math.max(...vals);
        const e = vals.map((v) => Math.exp(v - m));
        const s = e.reduce((a, c) => a + c, 0);
        want[b * h * w + p] = e.reduce((a, c, k) => a + c * k, 0) / s;
      }
    }
    const got = await regress(logits, dims);
    expect(got.every(Number.isFinite)).toBe(true);
    expect(maxAbsDiff(got, want)).toBeLessThan(1e-3);
  });
});

describe('upsampling', () => {
  const [h, w] = [3, 4];
  const disparity = randomTensor([1, 1, h, w], 11);
  const d = disparity.data as Float32Array;
  const at = (y: number, x: number): number => (y < 0 || y >= h || x < 0 || x >= w ? 0 : d[y * w + x]!);

  it('convex: a mask that picks neighbour (i, j) for sub-pixel (i, j) puts sub-pixels in the right places', async () => {
    const f = 2;
    const mask = new Float32Array(9 * f * f * h * w).fill(-100);
    for (let i = 0; i < f; i++) for (let j = 0; j < f; j++) mask.fill(100, ((3 * i + j) * f * f + i * f + j) * h * w, ((3 * i + j) * f * f + i * f + j + 1) * h * w);
    const b = new GraphBuilder();
    const dv = b.input('d', 'float32', [1, 1, h, w]);
    const mv = b.input('m', 'float32', [1, 9 * f * f, h, w]);
    b.output(convexUpsample(b, dv, mv, f), 'up');
    const { up } = await runGraph(b.build(), { d: disparity, m: { type: 'float32', dims: [1, 9 * f * f, h, w], data: mask } });
    expect(up!.dims).toEqual([1, 1, f * h, f * w]);
    const want = new Float32Array(f * f * h * w);
    for (let y = 0; y < f * h; y++) for (let x = 0; x < f * w; x++) want[y * f * w + x] = f * at(Math.floor(y / f) + (y % f) - 1, Math.floor(x / f) + (x % f) - 1);
    expect(maxAbsDiff(up!.data as Float32Array, want)).toBeLessThan(1e-5);
  });

  it('convex: a zero mask averages the 3×3 neighbourhood (zeros beyond the border)', async () => {
    const f = 4;
    const b = new GraphBuilder();
    const dv = b.input('d', 'float32', [1, 1, h, w]);
    b.output(convexUpsample(b, dv, b.constant(new Float32Array(9 * f * f * h * w), [1, 9 * f * f, h, w]), f), 'up');
    const { up } = await runGraph(b.build(), { d: disparity });
    const want = new Float32Array(f * f * h * w);
    for (let y = 0; y < f * h; y++) {
      for (let x = 0; x < f * w; x++) {
        let s = 0;
        for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) s += at(Math.floor(y / f) + dy, Math.floor(x / f) + dx);
        want[y * f * w + x] = (f * s) / 9;
      }
    }
    expect(maxAbsDiff(up!.data as Float32Array, want)).toBeLessThan(1e-5);
  });

  it('subpixel: with the residual head zeroed it is the bilinear upsampling (values scaled)', async () => {
    const b = new GraphBuilder({ seed: 3 });
    const dv = b.input('d', 'float32', [1, 1, h, w]);
    const feats = b.input('f', 'float32', [1, 8, h, w]);
    const positive = b.abs(dv);
    b.output(subpixelUpsample(b, positive, feats, 8, 4), 'up');
    b.output(bilinearUpsampleDisparity(b, positive, 4), 'bilinear');
    const g = b.build();
    for (const [name, t] of g.initializers) if (name.startsWith('upsample.residual.')) g.setInitializer(name, { ...t, data: new Float32Array(t.data.length) });
    const { up, bilinear } = await runGraph(g, { d: disparity, f: randomTensor([1, 8, h, w], 12) });
    expect(up!.dims).toEqual([1, 1, 4 * h, 4 * w]);
    expect(maxAbsDiff(up!.data as Float32Array, bilinear!.data as Float32Array)).toBeLessThan(1e-6);
    expect(Math.max(...(bilinear!.data as Float32Array))).toBeLessThanOrEqual(4 * Math.max(...d.map(Math.abs)) + 1e-5);
  });
});
