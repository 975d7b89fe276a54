/**
 * Ground-truth decoding check on the 19 real scenes of ../shared/datasets/real: warping the right
 * image by the decoded disparity (sample right at x - d, bilinear) must reproduce the left image
 * far better than d = 0, and better than the same GT rescaled by ±10 % (a wrong divisor) or
 * upside down (a PFM read in the wrong row order).
 *
 * Errors are measured on photometrically normalised gray (each view to zero mean, unit standard
 * deviation): ETH3D playground's right view is ~11 % darker than its left, and that exposure gap
 * alone puts a floor of ~0.63 × the d = 0 error under the raw-gray error.
 * Measured ratios (GT error / d = 0 error): 0.15–0.32 over the 19 scenes (worst: Monopoly 0.32,
 * ETH3D 0.31, Plastic 0.31), so the threshold 0.5 holds with a 1.5× margin. The threshold alone
 * would miss some decoding errors (GT × 0.75, i.e. divisor 4 for 3, scores 0.40 on Flowerpots;
 * Wood1 upside down scores 0.34), hence the comparisons: the true GT beats GT × 0.9, GT × 1.1 and
 * the flipped GT on every scene (closest: ETH3D 0.307 vs 0.339 at × 0.9).
 */
import { describe, it, expect } from 'vitest';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DisparityMap, RasterImage } from '@stereo-sdk/core';
import { openDataset } from '@stereo-sdk/stereo';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const manifest = path.resolve(repoRoot, '../shared/datasets/real/manifest.json');
const MAX_RATIO = 0.5;

/** Gray (Rec. 601 weights) normalised to zero mean and unit standard deviation. */
function normalizedGray(img: RasterImage): Float32Array {
  const n = img.width * img.height;
  const out = new Float32Array(n);
  const c = img.channels;
  let mean = 0;
  for (let i = 0; i < n; i++) {
    const p = i * c;
    out[i] = c >= 3 ? 0.299 * img.data[p] + 0.587 * img.data[p + 1] + 0.114 * img.data[p + 2] : img.data[p];
    mean += out[i];
  }
  mean /= n;
  let variance = 0;
  for (let i = 0; i < n; i++) variance += (out[i] - mean) ** 2;
  const sd = Math.sqrt(variance / n);
  for (let i = 0; i < n; i++) out[i] = (out[i] - mean) / sd;
  return out;
}

/** Mean |left - right warped by disp| divided by mean |left - right|, over valid pixels whose match is inside the image. */
function warpRatio(L: Float32Array, R: Float32Array, disp: DisparityMap): { ratio: number; pixels: number } {
  const { width: W, height: H, data: d } = disp;
  let warped = 0;
  let zero = 0;
  let pixels = 0;
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const i = y * W + x;
      const xr = x - d[i];
      if (!Number.isFinite(xr) || xr < 0 || xr > W - 1) continue;
      const x0 = Math.floor(xr);
      const t = xr - x0;
      const r = (1 - t) * R[y * W + x0] + t * R[y * W + Math.min(x0 + 1, W - 1)];
      warped += Math.abs(L[i] - r);
      zero += Math.abs(L[i] - R[i]);
      pixels++;
    }
  }
  return { ratio: warped / zero, pixels };
}

const scaled = (d: DisparityMap, k: number): DisparityMap => ({ ...d, data: d.data.map((v) => v * k) });

function flipped(d: DisparityMap): DisparityMap {
  const data = new Float32Array(d.data.length);
  for (let y = 0; y < d.height; y++) data.set(d.data.subarray((d.height - 1 - y) * d.width, (d.height - y) * d.width), y * d.width);
  return { ...d, data };
}

describe.skipIf(!existsSync(manifest))('ground truth of the real scenes', () => {
  it('warping right by the GT matches left much better than d = 0, a rescaled or a flipped GT', async () => {
    const ds = await openDataset(`manifest:${manifest}`);
    expect(ds.length).toBe(19);
    for await (const s of ds) {
      const gt = s.disparity;
      expect(gt, s.name).toBeDefined();
      const L = normalizedGray(s.left);
      const R = normalizedGray(s.right);
      const { ratio, pixels } = warpRatio(L, R, gt!);
      // Sparse LiDAR GT (KITTI, DrivingStereo) still covers well over 1 % of the frame.
      expect(pixels, s.name).toBeGreaterThan(0.01 * s.left.width * s.left.height);
      expect(ratio, s.name).toBeLessThan(MAX_RATIO);
      for (const wrong of [scaled(gt!, 0.9), scaled(gt!, 1.1), flipped(gt!)]) {
        expect(ratio, s.name).toBeLessThan(warpRatio(L, R, wrong).ratio);
      }
    }
  });
});
