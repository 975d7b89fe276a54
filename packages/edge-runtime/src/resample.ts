/**
 * Bilinear resampling of one image plane, the single resize primitive of the runtime (input
 * downscaling, fixed-size models, upsampling disparity and confidence). Pixel centres are aligned
 * (`src = (dst + 0.5) · scale − 0.5`, i.e. `align_corners = false`) and reads are clamped at the
 * borders. A NaN neighbour yields NaN, so invalid disparities stay invalid instead of being smeared.
 */

/** A strided view of one plane inside a buffer (interleaved images use `pixelStride` = channels). */
export interface PlaneView {
  data: ArrayLike<number>;
  width: number;
  height: number;
  /** Index of pixel (0, 0). */
  offset: number;
  /** Distance between horizontally adjacent pixels. */
  pixelStride: number;
  /** Distance between vertically adjacent pixels. */
  rowStride: number;
}

/** Where and how to write the output plane. */
export interface ResampleTarget {
  data: Float32Array;
  width: number;
  height: number;
  offset: number;
  rowStride: number;
  /** Source pixels per destination pixel, horizontally and vertically. */
  scaleX: number;
  scaleY: number;
  /** Output = sample · mul + add (normalization or disparity scaling fused in). Default 1 and 0. */
  mul?: number;
  add?: number;
  /** Write columns right-to-left (a horizontal mirror). Default false. */
  flip?: boolean;
}

/** Per-axis lookup: for each destination index, the two source indices and the weight of the second. */
function axisTable(n: number, srcN: number, scale: number): { i0: Int32Array; i1: Int32Array; w: Float32Array } {
  const i0 = new Int32Array(n);
  const i1 = new Int32Array(n);
  const w = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const s = Math.min(Math.max((i + 0.5) * scale - 0.5, 0), srcN - 1);
    const f = Math.floor(s);
    i0[i] = f;
    i1[i] = Math.min(f + 1, srcN - 1);
    w[i] = s - f;
  }
  return { i0, i1, w };
}

/** Horizontal pass of one source row into `out` (float64, as the 2×2 formula computes it). */
function interpolateRow(src: PlaneView, row: number, tx: ReturnType<typeof axisTable>, out: Float64Array): void {
  const { data: s, pixelStride: ps } = src;
  const r = src.offset + row * src.rowStride;
  const { i0, i1, w } = tx;
  for (let x = 0; x < out.length; x++) {
    const a = s[r + i0[x] * ps];
    out[x] = a + (s[r + i1[x] * ps] - a) * w[x];
  }
}

/** Vertical pass: one output row from two interpolated source rows, with the value map. */
function blendRows(top: Float64Array, bottom: Float64Array, wy: number, d: Float32Array, at: number, mul: number, add: number, flip: boolean): void {
  const n = top.length;
  if (flip) for (let x = 0; x < n; x++) d[at + n - 1 - x] = (top[x] + (bottom[x] - top[x]) * wy) * mul + add;
  else for (let x = 0; x < n; x++) d[at + x] = (top[x] + (bottom[x] - top[x]) * wy) * mul + add;
}

/**
 * Resamples `src` into `dst` bilinearly, with an affine value map. When both scales are 1 it is an
 * exact strided copy.
 * @example
 * resamplePlane(srcView, { data: out, width: 320, height: 240, offset: 0, rowStride: 320, scaleX: 2, scaleY: 2 });
 */
export function resamplePlane(src: PlaneView, dst: ResampleTarget): void {
  const { data: s, offset: so, pixelStride: ps, rowStride: rs } = src;
  const { data: d, width: dw, height: dh, offset: dOff, rowStride: drs } = dst;
  const mul = dst.mul ?? 1;
  const add = dst.add ?? 0;
  const flip = dst.flip ?? false;
  if (dst.scaleX === 1 && dst.scaleY === 1 && dw <= src.width && dh <= src.height) {
    for (let y = 0; y < dh; y++) {
      const srow = so + y * rs;
      const drow = dOff + y * drs;
      if (flip) for (let x = 0; x < dw; x++) d[drow + dw - 1 - x] = s[srow + x * ps] * mul + add;
      else for (let x = 0; x < dw; x++) d[drow + x] = s[srow + x * ps] * mul + add;
    }
    return;
  }
  const tx = axisTable(dw, src.width, dst.scaleX);
  const ty = axisTable(dh, src.height, dst.scaleY);
  // Separable: each source row is interpolated horizontally once (in float64, exactly the value the
  // 2×2 formula computes for it) and kept while consecutive output rows use it, so each output pixel
  // costs two loads and one lerp instead of four loads and three lerps, bit-identical. Upsampling the
  // student's 1/4-resolution confidence to KITTI size: 2.9–3.7 ms against 5.2–6.2 ms (medians of
  // interleaved runs on a loaded 2-core machine). Both passes are small functions: V8 compiles those
  // tighter than loops inside this one (3.1 → 2.1 ms).
  let top = new Float64Array(dw);
  let bottom = new Float64Array(dw);
  let topRow = -1;
  let bottomRow = -1;
  for (let y = 0; y < dh; y++) {
    const r0 = ty.i0[y];
    const r1 = ty.i1[y];
    if (r0 !== topRow) {
      if (r0 === bottomRow) {
        const t = top;
        top = bottom;
        bottom = t;
        bottomRow = -1;
      } else interpolateRow(src, r0, tx, top);
      topRow = r0;
    }
    if (r1 !== bottomRow) {
      interpolateRow(src, r1, tx, bottom);
      bottomRow = r1;
    }
    blendRows(top, bottom, ty.w[y], d, dOff + y * drs, mul, add, flip);
  }
}
