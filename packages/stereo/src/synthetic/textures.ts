/**
 * Procedural textures. Each surface of a scene owns a texture tile: an RGB field sampled on the
 * integer grid of left-view coordinates that covers the surface. The left view reads grid values,
 * the right view reads the same field between grid points (linear along x), so both views see one
 * continuous texture. Tiles are slightly blurred so they are band-limited like a real camera
 * image, which keeps that resampling faithful.
 */
import { fbmNoise, resampleLattice } from './noise.js';
import type { Rng } from './rng.js';
import type { TextureKind } from './types.js';
import type { Workspace } from './workspace.js';

/** An RGB texture (interleaved, values in [0, 1]) covering left-view pixels x0..x0+width-1, y0..y0+height-1. */
export interface TextureTile {
  data: Float32Array;
  x0: number;
  y0: number;
  width: number;
  height: number;
}

type Fill = (out: Float32Array, w: number, h: number, rng: Rng, ws: Workspace) => void;

const clamp01 = (v: number): number => (v < 0 ? 0 : v > 1 ? 1 : v);

/** A random colour: luminance spread over the range, saturation from grey to vivid. */
function randomColor(rng: Rng, lum = rng.uniform(0.06, 0.94)): [number, number, number] {
  const sat = rng.chance(0.25) ? rng.uniform(0, 0.12) : rng.uniform(0.15, 0.9);
  const r = rng.float();
  const g = rng.float();
  const b = rng.float();
  const m = (r + g + b) / 3;
  return [clamp01(lum + sat * (r - m) * 1.5), clamp01(lum + sat * (g - m) * 1.5), clamp01(lum + sat * (b - m) * 1.5)];
}

/** `k` colours whose successive luminances differ by 0.08–0.6, so a texture always has some contrast. */
function randomPalette(rng: Rng, k: number): Float32Array {
  const pal = new Float32Array(k * 3);
  let lum = rng.uniform(0.06, 0.94);
  for (let i = 0; i < k; i++) {
    if (i > 0) {
      const step = rng.uniform(0.08, 0.6) * (rng.chance(0.5) ? 1 : -1);
      lum += step;
      // Reflect back into range rather than clip, so the contrast step is kept.
      if (lum > 0.96 || lum < 0.04) lum -= 2 * step;
      lum = Math.min(0.96, Math.max(0.04, lum));
    }
    pal.set(randomColor(rng, lum), i * 3);
  }
  return pal;
}

/** Maps a scalar field in [0, 1] through a piecewise-linear palette into interleaved RGB. */
function applyPalette(field: Float32Array, n: number, pal: Float32Array, out: Float32Array): void {
  const k1 = pal.length / 3 - 1;
  for (let i = 0; i < n; i++) {
    const t = field[i]! * k1;
    let j = Math.floor(t);
    if (j >= k1) j = k1 - 1;
    if (j < 0) j = 0;
    const f = t - j;
    const a = j * 3;
    const o = i * 3;
    out[o] = pal[a]! + (pal[a + 3]! - pal[a]!) * f;
    out[o + 1] = pal[a + 1]! + (pal[a + 4]! - pal[a + 1]!) * f;
    out[o + 2] = pal[a + 2]! + (pal[a + 5]! - pal[a + 2]!) * f;
  }
}

/** A square wave along `u` (pixels) with soft edges `1 / invEdge` px wide: 1 inside the duty band, 0 outside. */
function softSquare(u: number, period: number, duty: number, invEdge: number): number {
  const f = u / period;
  const fr = f - Math.floor(f);
  const sd = fr < duty ? Math.min(fr, duty - fr) * period : -Math.min(fr - duty, 1 - fr) * period;
  const v = 0.5 + sd * invEdge;
  return v < 0 ? 0 : v > 1 ? 1 : v;
}

function randomFbm(field: Float32Array, w: number, h: number, rng: Rng, minCell: number, maxCell: number): void {
  const cell = rng.logUniform(minCell, maxCell);
  const aniso = rng.chance(0.3) ? rng.logUniform(1, 4) : 1;
  const wide = rng.chance(0.5);
  fbmNoise(field, w, h, rng, {
    cellX: wide ? cell * aniso : cell,
    cellY: wide ? cell : cell * aniso,
    octaves: rng.int(3, 6),
    persistence: rng.uniform(0.4, 0.7),
  });
}

const fillNoise: Fill = (out, w, h, rng, ws) => {
  const field = ws.f32('field', w * h);
  randomFbm(field, w, h, rng, 6, 96);
  applyPalette(field, w * h, randomPalette(rng, rng.int(2, 4)), out);
};

/** Stripes (one wave) or checkers (two waves) at random angles, optionally warped by noise. */
function fillWaves(out: Float32Array, w: number, h: number, rng: Rng, ws: Workspace, checker: boolean): void {
  const theta = rng.uniform(0, Math.PI);
  const phi = theta + (rng.chance(0.6) ? Math.PI / 2 : rng.uniform(Math.PI / 3, (2 * Math.PI) / 3));
  const p1 = rng.logUniform(checker ? 8 : 6, 48);
  const p2 = rng.chance(0.5) ? p1 : rng.logUniform(8, 48);
  const duty1 = rng.uniform(0.3, 0.7);
  const duty2 = checker ? rng.uniform(0.35, 0.65) : 0;
  const invEdge = 1 / rng.uniform(1.2, 2.5);
  const c1 = Math.cos(theta);
  const s1 = Math.sin(theta);
  const c2 = Math.cos(phi);
  const s2 = Math.sin(phi);
  const o1 = rng.uniform(0, p1);
  const o2 = rng.uniform(0, p2);
  const warpAmp = rng.chance(0.4) ? rng.uniform(0.3, 1.2) * p1 : 0;
  const warp = ws.f32('warp', warpAmp > 0 ? w * h : 0);
  if (warpAmp > 0) randomFbm(warp, w, h, rng, 24, 128);
  const pal = randomPalette(rng, 2);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      const dw = warpAmp > 0 ? warpAmp * warp[i]! : 0;
      let v = softSquare(x * c1 + y * s1 + o1 + dw, p1, duty1, invEdge);
      if (checker) {
        const v2 = softSquare(x * c2 + y * s2 + o2 + dw, p2, duty2, invEdge);
        v = v + v2 - 2 * v * v2;
      }
      const o = i * 3;
      out[o] = pal[0]! + (pal[3]! - pal[0]!) * v;
      out[o + 1] = pal[1]! + (pal[4]! - pal[1]!) * v;
      out[o + 2] = pal[2]! + (pal[5]! - pal[2]!) * v;
    }
  }
}

/** Random soft-edged discs of several colours on a flat background. */
const fillDots: Fill = (out, w, h, rng) => {
  const bg = randomColor(rng);
  for (let i = 0; i < w * h; i++) {
    out[i * 3] = bg[0];
    out[i * 3 + 1] = bg[1];
    out[i * 3 + 2] = bg[2];
  }
  const pal = randomPalette(rng, rng.int(2, 5));
  const k = pal.length / 3;
  const rMin = rng.uniform(1.5, 3);
  const rMax = rMin * rng.uniform(1, 4);
  const rMean = (rMin + rMax) / 2;
  const density = rng.uniform(0.2, 1.2);
  const count = Math.min(50_000, Math.round((density * w * h) / (Math.PI * rMean * rMean)));
  for (let n = 0; n < count; n++) {
    const r = rng.uniform(rMin, rMax);
    const cx = rng.uniform(-r, w + r);
    const cy = rng.uniform(-r, h + r);
    const ci = rng.int(0, k - 1) * 3;
    const y0 = Math.max(0, Math.ceil(cy - r - 1));
    const y1 = Math.min(h - 1, Math.floor(cy + r + 1));
    const x0 = Math.max(0, Math.ceil(cx - r - 1));
    const x1 = Math.min(w - 1, Math.floor(cx + r + 1));
    for (let y = y0; y <= y1; y++) {
      const dy = y - cy;
      for (let x = x0; x <= x1; x++) {
        const dx = x - cx;
        const a = (r + 0.75 - Math.sqrt(dx * dx + dy * dy)) / 1.5;
        if (a <= 0) continue;
        const al = a > 1 ? 1 : a;
        const o = (y * w + x) * 3;
        out[o] = out[o]! + (pal[ci]! - out[o]!) * al;
        out[o + 1] = out[o + 1]! + (pal[ci + 1]! - out[o + 1]!) * al;
        out[o + 2] = out[o + 2]! + (pal[ci + 2]! - out[o + 2]!) * al;
      }
    }
  }
};

/** A smooth linear gradient; weakly textured on purpose (the grain pass adds fine detail). */
const fillGradient: Fill = (out, w, h, rng, ws) => {
  const theta = rng.uniform(0, 2 * Math.PI);
  const c = Math.cos(theta);
  const s = Math.sin(theta);
  const corners = [0, w * c, h * s, w * c + h * s];
  const lo = Math.min(...corners);
  const inv = 1 / Math.max(1e-6, Math.max(...corners) - lo);
  const gamma = rng.logUniform(0.5, 2);
  // The tone curve t^gamma through a table: pow() per pixel would dominate this fill.
  const curve = new Float32Array(1025);
  for (let i = 0; i <= 1024; i++) curve[i] = Math.pow(i / 1024, gamma);
  const field = ws.f32('field', w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const u = (x * c + y * s - lo) * inv * 1024;
      const t = u < 0 ? 0 : u > 1024 ? 1024 : u;
      const i = t >= 1023 ? 1023 : t | 0;
      field[y * w + x] = curve[i]! + (curve[i + 1]! - curve[i]!) * (t - i);
    }
  }
  applyPalette(field, w * h, randomPalette(rng, 2), out);
};

/**
 * Voronoi cells (jittered grid, nearest of the 3×3 neighbouring sites) with optional dark borders.
 * Computed at half resolution and upsampled: cells are large, and this keeps the cost small.
 */
const fillCells: Fill = (out, w, h, rng, ws) => {
  const hw = ((w - 1) >> 1) + 2;
  const hh = ((h - 1) >> 1) + 2;
  const cs = rng.logUniform(4, 24);
  const gc = Math.floor((hw - 1) / cs) + 3;
  const gr = Math.floor((hh - 1) / cs) + 3;
  const px = new Float32Array(gc * gr);
  const py = new Float32Array(gc * gr);
  const col = new Float32Array(gc * gr * 3);
  const pal = randomPalette(rng, rng.int(2, 5));
  const k = pal.length / 3;
  for (let j = 0; j < gr; j++) {
    for (let i = 0; i < gc; i++) {
      const c = j * gc + i;
      px[c] = (i - 1 + rng.uniform(0.1, 0.9)) * cs;
      py[c] = (j - 1 + rng.uniform(0.1, 0.9)) * cs;
      const p = rng.int(0, k - 1) * 3;
      const jit = rng.uniform(0.85, 1.15);
      col[c * 3] = clamp01(pal[p]! * jit);
      col[c * 3 + 1] = clamp01(pal[p + 1]! * jit);
      col[c * 3 + 2] = clamp01(pal[p + 2]! * jit);
    }
  }
  const border = rng.chance(0.5) ? rng.uniform(0.6, 1.5) : 0;
  const bc = randomColor(rng, rng.uniform(0.02, 0.3));
  const planes = [ws.f32('cells0', hw * hh), ws.f32('cells1', hw * hh), ws.f32('cells2', hw * hh)] as const;
  for (let y = 0; y < hh; y++) {
    const cj = Math.floor(y / cs) + 1;
    for (let x = 0; x < hw; x++) {
      const ci = Math.floor(x / cs) + 1;
      let d1 = Infinity;
      let d2 = Infinity;
      let k1 = 0;
      let k2 = 0;
      for (let j = cj - 1; j <= cj + 1; j++) {
        for (let i = ci - 1; i <= ci + 1; i++) {
          const c = j * gc + i;
          const dx = px[c]! - x;
          const dy = py[c]! - y;
          const d = dx * dx + dy * dy;
          if (d < d1) {
            d2 = d1;
            k2 = k1;
            d1 = d;
            k1 = c;
          } else if (d < d2) {
            d2 = d;
            k2 = c;
          }
        }
      }
      let r = col[k1 * 3]!;
      let g = col[k1 * 3 + 1]!;
      let b = col[k1 * 3 + 2]!;
      if (border > 0) {
        // Distance to the bisector of the two nearest sites = distance to the cell edge.
        const sep = Math.hypot(px[k1]! - px[k2]!, py[k1]! - py[k2]!);
        const e = (d2 - d1) / (2 * sep);
        const t = clamp01(1.5 - e / border);
        r += (bc[0] - r) * t;
        g += (bc[1] - g) * t;
        b += (bc[2] - b) * t;
      }
      const o = y * hw + x;
      planes[0][o] = r;
      planes[1][o] = g;
      planes[2][o] = b;
    }
  }
  const full = ws.f32('field', w * h);
  for (let ch = 0; ch < 3; ch++) {
    resampleLattice(planes[ch], hw, full, w, h, 2, 2, 0, 0);
    for (let i = 0; i < w * h; i++) out[i * 3 + ch] = full[i]!;
  }
};

/** One fill per texture family: adding a family means adding a row here. */
const fills: Record<TextureKind, Fill> = {
  noise: fillNoise,
  stripes: (out, w, h, rng, ws) => fillWaves(out, w, h, rng, ws, false),
  checker: (out, w, h, rng, ws) => fillWaves(out, w, h, rng, ws, true),
  dots: fillDots,
  gradient: fillGradient,
  cells: fillCells,
};

/** Low-frequency shading and fine grain on top of any family, so no two surfaces look alike. */
function modulate(out: Float32Array, w: number, h: number, rng: Rng, ws: Workspace, kind: TextureKind): void {
  const n = w * h;
  const shadeAmp = rng.chance(0.5) ? rng.uniform(0.1, 0.4) : 0;
  const grainAmp = kind === 'gradient' ? rng.uniform(0.03, 0.12) : rng.chance(0.3) ? 0 : rng.uniform(0.01, 0.05);
  const shade = ws.f32('shade', shadeAmp > 0 ? n : 0);
  const grain = ws.f32('grain', grainAmp > 0 ? n : 0);
  if (shadeAmp > 0) randomFbm(shade, w, h, rng, 32, 160);
  if (grainAmp > 0) fbmNoise(grain, w, h, rng, { cellX: rng.uniform(3, 8), cellY: rng.uniform(3, 8), octaves: 2, persistence: 0.5 });
  if (shadeAmp === 0 && grainAmp === 0) return;
  // Fills stay in [0, 1] and shading only darkens, so grain is the one thing to clamp.
  for (let i = 0; i < n; i++) {
    const m = shadeAmp > 0 ? 1 - shadeAmp * shade[i]! : 1;
    const g = grainAmp > 0 ? grainAmp * (grain[i]! - 0.5) : 0;
    const o = i * 3;
    out[o] = clamp01(out[o]! * m + g);
    out[o + 1] = clamp01(out[o + 1]! * m + g);
    out[o + 2] = clamp01(out[o + 2]! * m + g);
  }
}

/** Blurs row `y` of `d` horizontally with [1 2 1]/4 (edges replicated) into `out`. */
function blurRow(d: Float32Array, y: number, rowLen: number, out: Float32Array): void {
  const o = y * rowLen;
  if (rowLen <= 3) {
    for (let i = 0; i < rowLen; i++) out[i] = d[o + i]!;
    return;
  }
  for (let ch = 0; ch < 3; ch++) {
    out[ch] = 0.25 * (3 * d[o + ch]! + d[o + ch + 3]!);
    const e = rowLen - 3 + ch;
    out[e] = 0.25 * (d[o + e - 3]! + 3 * d[o + e]!);
  }
  for (let i = 3; i < rowLen - 3; i++) out[i] = 0.25 * (d[o + i - 3]! + 2 * d[o + i]! + d[o + i + 3]!);
}

/**
 * Separable [1 2 1]/4 blur in place (edges replicated), in one sweep: three horizontally blurred
 * rows are kept in a ring while row y is written. Band-limits the tile like a camera's optics.
 */
function blur(d: Float32Array, w: number, h: number): void {
  const rowLen = w * 3;
  let prev = new Float32Array(rowLen);
  let cur = new Float32Array(rowLen);
  let next = new Float32Array(rowLen);
  blurRow(d, 0, rowLen, cur);
  prev.set(cur);
  for (let y = 0; y < h; y++) {
    if (y + 1 < h) blurRow(d, y + 1, rowLen, next);
    else next.set(cur);
    const o = y * rowLen;
    for (let i = 0; i < rowLen; i++) d[o + i] = 0.25 * (prev[i]! + 2 * cur[i]! + next[i]!);
    const t = prev;
    prev = cur;
    cur = next;
    next = t;
  }
}

/**
 * Builds the texture tile of one surface.
 * @param kind - texture family.
 * @param x0 - left-view x of the tile's first column (may be negative).
 * @param y0 - left-view y of the tile's first row.
 * @param width - columns, ≥ 1.
 * @param height - rows, ≥ 1.
 * @param rng - random stream; consumed deterministically.
 * @param ws - scratch buffers; `key` names this tile's own buffer in it.
 */
export function createTexture(
  kind: TextureKind, x0: number, y0: number, width: number, height: number, rng: Rng, ws: Workspace, key: string,
): TextureTile {
  const data = ws.f32(key, width * height * 3);
  fills[kind](data, width, height, rng, ws);
  modulate(data, width, height, rng, ws, kind);
  blur(data, width, height);
  return { data, x0, y0, width, height };
}
