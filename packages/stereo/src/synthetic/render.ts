/**
 * Renders a scene into both views with exact ground truth.
 *
 * Each surface is drawn with a z-buffer on disparity (larger = nearer), per row, over the
 * intervals its outline covers:
 * - left view: pixel x shows the surface point at left coordinate x;
 * - right view: pixel x_r shows the surface point whose left coordinate x_l satisfies
 *   x_r = x_l - d(x_l), i.e. x_l = (x_r + a + c·y) / (1 - b). The colour is the surface's texture
 *   at x_l, so both views sample the same continuous texture.
 * The left-referenced disparity is the front-most surface's plane at each left pixel.
 */
import { maxCrossings, rowSpans } from './shapes.js';
import type { Layer, Scene } from './scene.js';
import type { Workspace } from './workspace.js';

/** Clean renders and ground truth of a scene. Colours are interleaved RGB in [0, 1]. */
export interface SceneRender {
  width: number;
  height: number;
  leftColor: Float32Array;
  rightColor: Float32Array;
  /** Left-referenced disparity of the front-most surface at each left pixel. */
  leftDisparity: Float32Array;
  /** Right-referenced disparity (x_left = x_right + d) of the front-most surface at each right pixel. */
  rightDisparity: Float32Array;
  /** Layer id of the front-most surface at each left pixel. */
  leftLayer: Uint8Array;
  /** Layer id of the front-most surface at each right pixel. */
  rightLayer: Uint8Array;
  /** 1 where the left pixel is occluded in, or outside, the right view (see {@link computeOcclusion}). */
  occlusion: Uint8Array;
}

/**
 * Draws every layer of `scene` into both views, then derives occlusion. The left disparity and
 * the occlusion mask are always fresh arrays (they are handed to the caller); the rest may live
 * in `ws`. Every pixel is written because the background covers both views.
 */
export function renderScene(scene: Scene, ws: Workspace): SceneRender {
  const { width: w, height: h } = scene;
  const n = w * h;
  const out: SceneRender = {
    width: w,
    height: h,
    leftColor: ws.f32('leftColor', n * 3),
    rightColor: ws.f32('rightColor', n * 3),
    leftDisparity: new Float32Array(n).fill(-Infinity),
    rightDisparity: ws.f32('rightDisparity', n).fill(-Infinity),
    leftLayer: new Uint8Array(n),
    rightLayer: new Uint8Array(n),
    occlusion: new Uint8Array(n),
  };
  const { leftColor: lc, rightColor: rc, leftDisparity: ld, rightDisparity: rd, leftLayer: ll, rightLayer: rl } = out;
  const full = new Float64Array([-Infinity, Infinity]);
  // Nearest layers first, so hidden pixels of farther layers fail the depth test before any colour write.
  const order = [...scene.layers].sort((p, q) => nearness(q, w, h) - nearness(p, w, h));
  for (const layer of order) {
    const id = layer.id;
    const { a, b, c, shape, texture: t } = layer;
    const spans = shape ? new Float64Array(maxCrossings(shape)) : full;
    const y0 = Math.max(0, t.y0);
    const y1 = Math.min(h - 1, t.y0 + t.height - 1);
    const tex = t.data;
    const stretch = 1 - b;
    const inv = 1 / stretch;
    const maxCol = t.width - 2;
    for (let y = y0; y <= y1; y++) {
      const count = shape ? rowSpans(shape, y, spans) : 2;
      const row = y * w;
      const texRow = (y - t.y0) * t.width;
      const shift = a + c * y;
      for (let s = 0; s < count; s += 2) {
        const xa = spans[s]!;
        const xb = spans[s + 1]!;
        // Left view: integer left coordinates inside the interval read texture grid values.
        const le = Math.min(w - 1, Math.floor(xb));
        for (let x = Math.max(0, Math.ceil(xa)); x <= le; x++) {
          const d = shift + b * x;
          const p = row + x;
          if (d > ld[p]!) {
            ld[p] = d;
            ll[p] = id;
            const ti = (texRow + x - t.x0) * 3;
            lc[p * 3] = tex[ti]!;
            lc[p * 3 + 1] = tex[ti + 1]!;
            lc[p * 3 + 2] = tex[ti + 2]!;
          }
        }
        // Right view: the interval maps through the plane to [xa(1-b) - a - cy, xb(1-b) - a - cy].
        const re = Math.min(w - 1, Math.floor(xb * stretch - shift));
        for (let xr = Math.max(0, Math.ceil(xa * stretch - shift)); xr <= re; xr++) {
          const xl = (xr + shift) * inv;
          const d = xl - xr;
          const p = row + xr;
          if (d > rd[p]!) {
            rd[p] = d;
            rl[p] = id;
            const u = xl - t.x0;
            let i = Math.floor(u);
            if (i < 0) i = 0;
            else if (i > maxCol) i = maxCol;
            const f = u - i;
            const ti = (texRow + i) * 3;
            rc[p * 3] = tex[ti]! + (tex[ti + 3]! - tex[ti]!) * f;
            rc[p * 3 + 1] = tex[ti + 1]! + (tex[ti + 4]! - tex[ti + 1]!) * f;
            rc[p * 3 + 2] = tex[ti + 2]! + (tex[ti + 5]! - tex[ti + 2]!) * f;
          }
        }
      }
    }
  }
  computeOcclusion(out);
  return out;
}

/** A layer's disparity at the image centre: a cheap draw-order key (the z-buffer decides correctness). */
function nearness(layer: Layer, w: number, h: number): number {
  return layer.a + layer.b * (w / 2) + layer.c * (h / 2);
}

/**
 * Marks left pixels the right view does not show. With x_r = x - d, a left pixel is occluded
 * when x_r < 0 (outside the right view), or when a right pixel adjacent to x_r (floor(x_r) or
 * floor(x_r) + 1, the two a resampler reads) shows another surface with larger disparity than d,
 * i.e. a nearer surface covers the point in the right view.
 */
export function computeOcclusion(r: SceneRender): void {
  const { width: w, height: h, leftDisparity: dl, rightDisparity: dr, leftLayer: ll, rightLayer: rl, occlusion } = r;
  for (let y = 0; y < h; y++) {
    const row = y * w;
    for (let x = 0; x < w; x++) {
      const p = row + x;
      const d = dl[p]!;
      const xr = x - d;
      let occ = 0;
      if (xr < 0) occ = 1;
      else {
        const n0 = row + Math.floor(xr);
        const id = ll[p]!;
        if ((rl[n0] !== id && dr[n0]! > d) || (n0 + 1 < row + w && rl[n0 + 1] !== id && dr[n0 + 1]! > d)) occ = 1;
      }
      occlusion[p] = occ;
    }
  }
}
