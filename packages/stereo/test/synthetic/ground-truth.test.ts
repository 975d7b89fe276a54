/**
 * Oracle tests of the synthetic ground truth: the views, disparity and occlusion must agree
 * exactly with the scene that produced them, checked by code independent of the renderer.
 */
import { describe, expect, it } from 'vitest';
import { renderSyntheticPair } from '../../src/synthetic/generate.js';
import type { Layer, Scene } from '../../src/synthetic/scene.js';
import type { SceneRender } from '../../src/synthetic/render.js';
import type { SyntheticOptions } from '../../src/synthetic/types.js';

/** Even-odd point-in-polygon by ray casting (the renderer rasterizes spans instead). */
function inside(layer: Layer, x: number, y: number): boolean {
  if (!layer.shape) return true;
  let c = false;
  for (const poly of layer.shape.contours) {
    for (let i = 0, j = poly.length - 2; i < poly.length; j = i, i += 2) {
      const xi = poly[i]!;
      const yi = poly[i + 1]!;
      const xj = poly[j]!;
      const yj = poly[j + 1]!;
      if (yi > y !== yj > y && x <= xi + ((y - yi) * (xj - xi)) / (yj - yi)) c = !c;
    }
  }
  return c;
}

/** Front-most layer, its disparity and the left coordinate of the surface point at a pixel of either view, by brute force. */
function front(scene: Scene, view: 'left' | 'right', x: number, y: number): { id: number; d: number; xl: number } {
  let best = { id: -1, d: -Infinity, xl: NaN };
  for (const l of scene.layers) {
    // Right pixel x shows the surface point at left coordinate (x + a + c·y) / (1 - b).
    const xl = view === 'left' ? x : (x + l.a + l.c * y) / (1 - l.b);
    const d = l.a + l.b * xl + l.c * y;
    if (inside(l, xl, y) && d > best.d) best = { id: l.id, d, xl };
  }
  return best;
}

/** A surface's texture at left coordinate (xl, y): its grid value, linearly interpolated along x. */
function textureAt(layer: Layer, xl: number, y: number, ch: number): number {
  const t = layer.texture;
  const u = xl - t.x0;
  const i = Math.floor(u);
  const f = u - i;
  const row = (y - t.y0) * t.width;
  const a = t.data[(row + i) * 3 + ch]!;
  return f === 0 ? a : a + (t.data[(row + i + 1) * 3 + ch]! - a) * f;
}

/** Linear interpolation of a colour render at (x, y), x fractional. */
function sampleRow(color: Float32Array, w: number, x: number, y: number, ch: number): number {
  const x0 = Math.floor(x);
  const f = x - x0;
  const a = color[(y * w + x0) * 3 + ch]!;
  const b = color[(y * w + Math.min(w - 1, x0 + 1)) * 3 + ch]!;
  return a + (b - a) * f;
}

interface WarpStats {
  mean: number;
  median: number;
  p95: number;
  max: number;
  /** Pixels compared over non-occluded pixels. */
  coverage: number;
}

/**
 * Resamples the clean right render at x - d - shift for every non-occluded left pixel whose two
 * right neighbours show the same surface (at a surface edge linear interpolation mixes two
 * surfaces), and compares with the left render, in 8-bit levels.
 */
function warpError(r: SceneRender, shift = 0): WarpStats {
  const { width: w, height: h } = r;
  const errs: number[] = [];
  let visible = 0;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const p = y * w + x;
      if (r.occlusion[p]) continue;
      visible++;
      const xr = x - r.leftDisparity[p]! - shift;
      const n0 = Math.floor(xr);
      if (n0 < 0 || n0 + 1 >= w) continue;
      const id = r.leftLayer[p];
      if (r.rightLayer[y * w + n0] !== id || r.rightLayer[y * w + n0 + 1] !== id) continue;
      let e = 0;
      for (let ch = 0; ch < 3; ch++) e = Math.max(e, Math.abs(sampleRow(r.rightColor, w, xr, y, ch) - r.leftColor[p * 3 + ch]!));
      errs.push(e * 255);
    }
  }
  errs.sort((a, b) => a - b);
  return {
    mean: errs.reduce((s, v) => s + v, 0) / errs.length,
    median: errs[Math.floor(0.5 * (errs.length - 1))]!,
    p95: errs[Math.floor(0.95 * (errs.length - 1))]!,
    max: errs[errs.length - 1]!,
    coverage: errs.length / visible,
  };
}

const FULL: SyntheticOptions = { width: 512, height: 256, maxDisparity: 96, photometric: false };

describe('synthetic ground truth: views agree with disparity', () => {
  it('resampling the clean right view at x - d reproduces the left view', () => {
    const stats = [1, 2, 3, 4, 5, 6].map((seed) => {
      const { render } = renderSyntheticPair(FULL, seed);
      return { at: warpError(render), off: warpError(render, 0.5) };
    });
    const mean = (xs: number[]): number => xs.reduce((s, v) => s + v, 0) / xs.length;
    const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    for (const { at } of stats) {
      // Nearly every visible pixel is checked (only those at surface edges in the right view are skipped).
      expect(at.coverage).toBeGreaterThan(0.97);
      // A scene may be dominated by a fine high-contrast pattern, where interpolation error is largest.
      expect(at.mean).toBeLessThan(6);
    }
    // What remains is the linear-interpolation error of band-limited textures: about a level.
    expect(median(stats.map((s) => s.at.median))).toBeLessThan(0.5);
    expect(mean(stats.map((s) => s.at.mean))).toBeLessThan(2);
    // The check is sensitive: disparities off by half a pixel are far worse.
    expect(mean(stats.map((s) => s.off.mean))).toBeGreaterThan(3 * mean(stats.map((s) => s.at.mean)));
  });

  it('is exact up to quantization on smooth textures', () => {
    for (const seed of [4, 5]) {
      const { render } = renderSyntheticPair({ ...FULL, textures: ['gradient'] }, seed);
      const s = warpError(render);
      expect(s.coverage).toBeGreaterThan(0.97);
      expect(s.max).toBeLessThan(2);
    }
  });

  it('quantized clean views match too', () => {
    const { render, pair } = renderSyntheticPair(FULL, 6);
    const { width: w } = render;
    let sum = 0;
    let n = 0;
    for (let p = 0; p < w * render.height; p++) {
      if (pair.occlusion.data[p]) continue;
      const x = p % w;
      const y = (p - x) / w;
      const xr = x - pair.disparity.data[p]!;
      const n0 = Math.floor(xr);
      const id = render.leftLayer[p];
      if (render.rightLayer[y * w + n0] !== id || render.rightLayer[y * w + n0 + 1] !== id) continue;
      const f = xr - n0;
      for (let ch = 0; ch < 3; ch++) {
        const a = pair.right.data[(y * w + n0) * 3 + ch]!;
        const b = pair.right.data[(y * w + n0 + 1) * 3 + ch]!;
        sum += Math.abs(a + (b - a) * f - pair.left.data[p * 3 + ch]!);
        n++;
      }
    }
    expect(sum / n).toBeLessThan(1.5);
  });
});

describe('synthetic ground truth: geometry checked by brute force', () => {
  const SMALL: SyntheticOptions = { width: 160, height: 64, maxDisparity: 32, photometric: false, minObjects: 4, maxObjects: 10 };

  it('both views show the front-most surface, coloured by its texture at the same surface point', () => {
    for (const seed of [11, 12, 13, 14]) {
      const { scene, render } = renderSyntheticPair(SMALL, seed);
      const { width: w, height: h } = render;
      let badLeft = 0;
      let badRight = 0;
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) {
          const p = y * w + x;
          for (const view of ['left', 'right'] as const) {
            const f = front(scene, view, x, y);
            const [layer, disp, color] =
              view === 'left' ? [render.leftLayer, render.leftDisparity, render.leftColor] : [render.rightLayer, render.rightDisparity, render.rightColor];
            let bad = f.id !== layer[p] || Math.abs(f.d - disp[p]!) > 1e-4;
            for (let ch = 0; ch < 3; ch++) bad ||= Math.abs(textureAt(scene.layers[f.id]!, f.xl, y, ch) - color[p * 3 + ch]!) > 1e-6;
            if (bad && view === 'left') badLeft++;
            if (bad && view === 'right') badRight++;
          }
        }
      }
      expect(badLeft).toBe(0);
      expect(badRight).toBe(0);
    }
  });

  it('occlusion is exactly the set of left pixels hidden by a nearer surface or outside the right view', () => {
    let occluded = 0;
    let byOccluder = 0;
    const mismatches: string[] = [];
    for (const seed of [21, 22, 23, 24]) {
      const { scene, render, pair } = renderSyntheticPair(SMALL, seed);
      const { width: w, height: h } = render;
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) {
          const p = y * w + x;
          const d = pair.disparity.data[p]!;
          const id = front(scene, 'left', x, y).id;
          const xr = x - d;
          let hidden = xr < 0;
          if (!hidden) {
            const n0 = Math.floor(xr);
            for (const n of [n0, n0 + 1]) {
              if (n >= w) continue;
              const f = front(scene, 'right', n, y);
              if (f.id !== id && f.d > d) hidden = true;
            }
            if (hidden) byOccluder++;
          }
          if (pair.occlusion.data[p] !== (hidden ? 1 : 0)) mismatches.push(`pixel (${x}, ${y}) of seed ${seed}`);
          if (hidden) occluded++;
        }
      }
    }
    expect(mismatches).toEqual([]);
    expect(byOccluder).toBeGreaterThan(0);
    expect(occluded).toBeGreaterThan(byOccluder);
  });

  it('scenes with occluders have occluded pixels; a lone plane only loses its left border', () => {
    for (const seed of [31, 32, 33]) {
      const { pair } = renderSyntheticPair({ ...FULL, minObjects: 3 }, seed);
      const occ = pair.occlusion.data.reduce((s, v) => s + v, 0) / pair.occlusion.data.length;
      expect(occ).toBeGreaterThan(0.005);
      expect(occ).toBeLessThan(0.6);
    }
    const { pair } = renderSyntheticPair({ ...FULL, minObjects: 0, maxObjects: 0 }, 34);
    const { width: w } = pair.disparity;
    let bad = 0;
    pair.occlusion.data.forEach((v, p) => (bad += v === (p % w < pair.disparity.data[p]! ? 1 : 0) ? 0 : 1));
    expect(bad).toBe(0);
  });

  it('non-occluded pixels see their own surface at a consistent right disparity', () => {
    const { render } = renderSyntheticPair(FULL, 41);
    const { width: w, height: h } = render;
    let checked = 0;
    let worst = 0;
    for (let p = 0; p < w * h; p++) {
      if (render.occlusion[p]) continue;
      const x = p % w;
      const y = (p - x) / w;
      const d = render.leftDisparity[p]!;
      const n = Math.round(x - d);
      if (render.rightLayer[y * w + n] !== render.leftLayer[p]) continue;
      checked++;
      // Within half a pixel the plane's disparity changes by at most |b|/(1-b)/2 < 0.1 px.
      worst = Math.max(worst, Math.abs(render.rightDisparity[y * w + n]! - d));
    }
    expect(worst).toBeLessThan(0.1);
    expect(checked).toBeGreaterThan(0.95 * (w * h - render.occlusion.reduce((s, v) => s + v, 0)));
  });
});
