/**
 * Value-noise fBm built as a pyramid: a coarse lattice of random values is repeatedly upsampled
 * ×2 (bilinear) with finer random detail added at each level, then resampled to pixels. Every
 * pass is separable and cheap, so a full-frame noise field costs a few array sweeps instead of
 * octaves × hashes per pixel.
 */
import type { Rng } from './rng.js';

/** Parameters of {@link fbmNoise}. */
export interface FbmParams {
  /** Horizontal size of the coarsest cell, in pixels. */
  cellX: number;
  /** Vertical size of the coarsest cell, in pixels. */
  cellY: number;
  /** Number of octaves (levels); the finest cell is kept ≥ 2 px so the field stays smooth. */
  octaves: number;
  /** Amplitude ratio between successive octaves, in (0, 1). */
  persistence: number;
}

/**
 * Resamples a `gw × gh` lattice (row-major) to `w × h` pixels with bilinear interpolation:
 * pixel (x, y) reads the lattice at (x / sx + ox, y / sy + oy). The lattice must cover that range
 * plus one cell.
 */
export function resampleLattice(
  lattice: Float32Array, gw: number, out: Float32Array, w: number, h: number,
  sx: number, sy: number, ox: number, oy: number,
): void {
  const i0 = new Int32Array(w);
  const fx = new Float32Array(w);
  for (let x = 0; x < w; x++) {
    const g = x / sx + ox;
    const i = Math.floor(g);
    i0[x] = i;
    fx[x] = g - i;
  }
  const row = new Float32Array(gw);
  for (let y = 0; y < h; y++) {
    const g = y / sy + oy;
    const j = Math.floor(g);
    const fy = g - j;
    const r0 = j * gw;
    const r1 = r0 + gw;
    for (let i = 0; i < gw; i++) row[i] = lattice[r0 + i]! + (lattice[r1 + i]! - lattice[r0 + i]!) * fy;
    const o = y * w;
    for (let x = 0; x < w; x++) {
      const i = i0[x]!;
      const a = row[i]!;
      out[o + x] = a + (row[i + 1]! - a) * fx[x]!;
    }
  }
}

/** Bilinear ×2 upsampling of an `aw × ah` lattice into `bw × bh`, adding uniform noise of amplitude `amp`. */
function upsample2(a: Float32Array, aw: number, b: Float32Array, bw: number, bh: number, amp: number, rng: Rng): void {
  for (let j = 0; j < bh; j++) {
    const r0 = (j >> 1) * aw;
    const r1 = (j & 1) === 0 ? r0 : r0 + aw;
    const o = j * bw;
    for (let i = 0; i < bw; i++) {
      const i0 = i >> 1;
      const i1 = (i & 1) === 0 ? i0 : i0 + 1;
      const v = 0.25 * (a[r0 + i0]! + a[r0 + i1]! + a[r1 + i0]! + a[r1 + i1]!);
      b[o + i] = v + amp * (2 * rng.float() - 1);
    }
  }
}

/**
 * Fills `out` (`w × h`, row-major) with fBm value noise normalized to [0, 1].
 * @param out - destination field, length ≥ w·h.
 * @param rng - random stream; consumed deterministically.
 */
export function fbmNoise(out: Float32Array, w: number, h: number, rng: Rng, p: FbmParams): void {
  let octaves = Math.max(1, Math.round(p.octaves));
  // Keep the finest lattice at ≥ 2 px so pixels sample a smooth (band-limited) field.
  while (octaves > 1 && Math.min(p.cellX, p.cellY) / 2 ** (octaves - 1) < 2) octaves--;
  const fsx = p.cellX / 2 ** (octaves - 1);
  const fsy = p.cellY / 2 ** (octaves - 1);
  // Lattice sizes from finest to coarsest: each coarser level covers the finer one plus a border.
  const dims: Array<[number, number]> = [];
  let gw = Math.floor((w - 1) / fsx) + 3;
  let gh = Math.floor((h - 1) / fsy) + 3;
  for (let k = 0; k < octaves; k++) {
    dims.unshift([gw, gh]);
    gw = ((gw - 1) >> 1) + 2;
    gh = ((gh - 1) >> 1) + 2;
  }
  let aw = dims[0]![0];
  let a = new Float32Array(aw * dims[0]![1]);
  for (let i = 0; i < a.length; i++) a[i] = 2 * rng.float() - 1;
  let amp = 1;
  for (let k = 1; k < octaves; k++) {
    amp *= p.persistence;
    const [bw, bh] = dims[k]!;
    const b = new Float32Array(bw * bh);
    upsample2(a, aw, b, bw, bh, amp, rng);
    a = b;
    aw = bw;
  }
  resampleLattice(a, aw, out, w, h, fsx, fsy, rng.float(), rng.float());
  normalize(out, w * h);
}

/** Rescales the first `n` values of `v` to span [0, 1] (a constant field becomes 0.5). */
export function normalize(v: Float32Array, n: number): void {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < n; i++) {
    const x = v[i]!;
    if (x < lo) lo = x;
    if (x > hi) hi = x;
  }
  const range = hi - lo;
  if (!(range > 1e-12)) {
    v.fill(0.5, 0, n);
    return;
  }
  const s = 1 / range;
  for (let i = 0; i < n; i++) v[i] = (v[i]! - lo) * s;
}
