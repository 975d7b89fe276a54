/**
 * Tensors and batches: normalization and padding as the runtime feeds a model, target masking and
 * downsampling, the deterministic loader, and the `synth:` spec.
 */
import { describe, expect, it } from 'vitest';
import type { RasterImage } from '@stereo-sdk/core';
import {
  createBatchLoader,
  downsampleTarget,
  INPUT_NORMALIZATION,
  isOnTheFlySpec,
  openTrainingSource,
  parseOnTheFlySpec,
  supervisionTarget,
  writeNetworkInput,
  type SampleSource,
  type StereoSample,
} from '@stereo-sdk/stereo';

describe('writeNetworkInput', () => {
  it('normalizes RGB with the contract statistics and pads by replicating the last column and row', () => {
    const img: RasterImage = { data: Uint8Array.from([0, 51, 255, 102, 204, 0, 255, 255, 255, 10, 20, 30]), width: 2, height: 2, channels: 3, bitDepth: 8 };
    const out = new Float32Array(3 * 3 * 3).fill(NaN);
    writeNetworkInput(img, out, 3, 3);
    const { mean, std } = INPUT_NORMALIZATION;
    const norm = (v: number, c: number) => (v / 255 - mean[c]!) / std[c]!;
    for (let c = 0; c < 3; c++) {
      const px = (x: number, y: number) => img.data[(y * 2 + x) * 3 + c]!;
      // 3×3 plane: image at top-left, column 2 = column 1, row 2 = row 1.
      const expected = [px(0, 0), px(1, 0), px(1, 0), px(0, 1), px(1, 1), px(1, 1), px(0, 1), px(1, 1), px(1, 1)].map((v) => norm(v, c));
      const plane = Array.from(out.subarray(c * 9, (c + 1) * 9));
      plane.forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 5));
    }
  });

  it('replicates a gray image to three channels and refuses a tensor smaller than the image', () => {
    const gray: RasterImage = { data: Uint8Array.from([0, 255]), width: 2, height: 1, channels: 1, bitDepth: 8 };
    const out = new Float32Array(6);
    writeNetworkInput(gray, out, 2, 1);
    expect(out[1]).toBeCloseTo((1 - INPUT_NORMALIZATION.mean[0]!) / INPUT_NORMALIZATION.std[0]!, 5);
    expect(out[5]).toBeCloseTo((1 - INPUT_NORMALIZATION.mean[2]!) / INPUT_NORMALIZATION.std[2]!, 5);
    expect(() => writeNetworkInput(gray, out, 1, 1)).toThrow(/width/);
  });
});

describe('targets', () => {
  it('masks non-finite, out-of-range and externally invalid ground truth', () => {
    const sample = {
      name: 's',
      left: { data: new Uint8Array(12), width: 4, height: 1, channels: 3, bitDepth: 8 },
      right: { data: new Uint8Array(12), width: 4, height: 1, channels: 3, bitDepth: 8 },
      disparity: { data: Float32Array.from([3, Infinity, 20, 5]), width: 4, height: 1 },
      valid: { data: Uint8Array.from([1, 1, 1, 0]), width: 4, height: 1 },
      meta: { dataset: 'test' },
    } as StereoSample;
    const { target, valid } = supervisionTarget(sample, 16);
    expect(Array.from(valid)).toEqual([1, 0, 0, 0]);
    expect(Array.from(target)).toEqual([3, 0, 0, 0]);
  });

  it('averages the valid targets of each 4×4 block, valid when any is', () => {
    const [W, H] = [8, 4];
    const target = new Float32Array(W * H);
    const valid = new Float32Array(W * H);
    // Left block: two valid values 2 and 6; right block: nothing valid.
    target[0] = 2;
    valid[0] = 1;
    target[1 * W + 3] = 6;
    valid[1 * W + 3] = 1;
    target[1 * W + 5] = 100; // invalid: ignored
    const q = downsampleTarget(target, valid, W, H);
    expect(Array.from(q.target)).toEqual([4, 0]);
    expect(Array.from(q.valid)).toEqual([1, 0]);
    expect(() => downsampleTarget(target, valid, 6, 4)).toThrow(/multiples of 4/);
  });
});

/** A finite source whose samples carry their index in the ground truth. */
function indexedSource(n: number): SampleSource {
  return {
    spec: 'test:indexed',
    length: n,
    get: async (i) => ({
      name: `s${i}`,
      left: { data: new Uint8Array(16 * 8 * 3).fill(i), width: 16, height: 8, channels: 3, bitDepth: 8 },
      right: { data: new Uint8Array(16 * 8 * 3).fill(i), width: 16, height: 8, channels: 3, bitDepth: 8 },
      disparity: { data: new Float32Array(16 * 8).fill(i), width: 16, height: 8 },
      meta: { dataset: 'test' },
    }),
  };
}

describe('createBatchLoader', () => {
  it('makes batch k a pure function of (seed, k) and visits every sample once per epoch', async () => {
    const opts = { batch: 3, crop: { height: 4, width: 8 }, maxDisparity: 64, seed: 9 };
    const a = createBatchLoader(indexedSource(6), opts);
    const b = createBatchLoader(indexedSource(6), opts);
    // Out of order on b: no hidden state.
    const late = await b.batch(5);
    const early = await b.batch(0);
    expect(await a.batch(0)).toEqual(early);
    expect(await a.batch(5)).toEqual(late);
    for (const epoch of [0, 1, 2]) {
      const seen = [...a.indices(2 * epoch), ...a.indices(2 * epoch + 1)].sort();
      expect(seen).toEqual([0, 1, 2, 3, 4, 5]);
    }
    expect([...a.indices(0), ...a.indices(1)]).not.toEqual([...a.indices(2), ...a.indices(3)]);
    const other = createBatchLoader(indexedSource(6), { ...opts, seed: 10 });
    expect(await other.batch(0)).not.toEqual(early);
    // Crops of 4 × 8 from 8 × 16 images; the targets stay aligned with their samples.
    const samples = await a.samples(0);
    expect(samples.map((s) => [s.left.width, s.left.height])).toEqual([[8, 4], [8, 4], [8, 4]]);
    samples.forEach((s, k) => expect(s.disparity!.data[0]).toBe(a.indices(0)[k]));
  });

  it('draws new on-the-fly scenes for every batch slot', async () => {
    const source = await openTrainingSource('synth:', { synthetic: { width: 64, height: 32, maxDisparity: 16, seed: 1 } });
    expect(source.length).toBe(Infinity);
    const loader = createBatchLoader(source, { batch: 2, crop: { height: 32, width: 64 }, maxDisparity: 16, seed: 1, augment: { color: false, occlusion: false } });
    expect(loader.indices(3)).toEqual([6, 7]);
    const [x, y] = await loader.samples(0);
    expect(x!.left.data).not.toEqual(y!.left.data);
  });
});

describe('synth: specs', () => {
  it('parses generator options and rejects unknown keys, bad values and paths', () => {
    expect(isOnTheFlySpec('synth:')).toBe(true);
    expect(isOnTheFlySpec('synthetic:on-the-fly?width=64')).toBe(true);
    expect(isOnTheFlySpec('synthetic:/data/synth')).toBe(false);
    expect(parseOnTheFlySpec('synth:on-the-fly?width=320&height=160&maxDisparity=64&photometric=0&seed=3&count=16')).toEqual({
      options: { width: 320, height: 160, maxDisparity: 64, photometric: false },
      seed: 3,
      count: 16,
    });
    expect(() => parseOnTheFlySpec('synth:?size=3')).toThrow(/Unknown option 'size'/);
    expect(() => parseOnTheFlySpec('synth:?width=-3')).toThrow(/non-negative integer/);
    expect(() => parseOnTheFlySpec('synth:/data')).toThrow(/synthetic:<dir>/);
  });

  it('opens a finite generator with count and checks generator options', async () => {
    const source = await openTrainingSource('synth:?count=2&width=48&height=32&maxDisparity=8');
    expect(source.length).toBe(2);
    const s = await source.get(1);
    expect([s.left.width, s.left.height]).toEqual([48, 32]);
    await expect(source.get(2)).rejects.toThrow(/index/);
    await expect(openTrainingSource('synth:?width=16&maxDisparity=64')).rejects.toThrow(/synthetic spec .*maxDisparity/);
  });
});
