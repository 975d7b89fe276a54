/** Arithmetic on possibly symbolic dimensions, and numpy broadcasting. */
import type { Dim } from './types.js';

/** The unnamed unknown dimension. */
export const UNKNOWN_DIM = '?';

/** True when every dimension is a number. */
export function isStaticShape(shape: readonly Dim[] | undefined): shape is readonly number[] {
  return !!shape && shape.every((d) => typeof d === 'number');
}

/** `[1, 'N', 3]` → `'[1, N, 3]'`, for messages. */
export function formatShape(shape: readonly Dim[] | undefined): string {
  return shape ? `[${shape.join(', ')}]` : '[?]';
}

/** Applies `f` when both dims are static, else gives an unknown dim. */
export function dimOp(a: Dim, b: Dim, f: (x: number, y: number) => number): Dim {
  return typeof a === 'number' && typeof b === 'number' ? f(a, b) : UNKNOWN_DIM;
}

/** Product of dims (unknown if any is symbolic). */
export function dimProduct(dims: readonly Dim[]): Dim {
  let p: Dim = 1;
  for (const d of dims) p = dimOp(p, d, (x, y) => x * y);
  return p;
}

/** Normalizes a possibly negative axis into [0, rank); returns -1 when out of range. */
export function normalizeAxis(axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  return a >= 0 && a < rank ? a : -1;
}

/**
 * Numpy (multidirectional) broadcasting of several shapes.
 * @returns the broadcast shape, or null when two static dims disagree and neither is 1
 */
export function broadcastShapes(shapes: readonly (readonly Dim[])[]): Dim[] | null {
  const rank = Math.max(0, ...shapes.map((s) => s.length));
  const out: Dim[] = [];
  for (let i = 0; i < rank; i++) {
    let d: Dim = 1;
    for (const s of shapes) {
      const k = s.length - rank + i;
      if (k < 0) continue;
      const e = s[k]!;
      if (e === 1) continue;
      if (d === 1) d = e;
      else if (typeof d === 'number' && typeof e === 'number') {
        if (d !== e) return null;
      } else if (d !== e) {
        // A static dim other than 1 fixes the size at run time; two different symbols stay unknown.
        d = typeof e === 'number' ? e : typeof d === 'number' ? d : UNKNOWN_DIM;
      }
    }
    out.push(d);
  }
  return out;
}

/**
 * Output length of a sliding window (Conv, pools) along one axis, floor or ceil mode.
 * @returns the length, or an unknown dim when the input is symbolic
 */
export function windowOutput(
  input: Dim,
  kernel: number,
  stride: number,
  dilation: number,
  padBegin: number,
  padEnd: number,
  ceil = false,
): Dim {
  if (typeof input !== 'number') return UNKNOWN_DIM;
  const num = input + padBegin + padEnd - (dilation * (kernel - 1) + 1);
  let out = (ceil ? Math.ceil(num / stride) : Math.floor(num / stride)) + 1;
  // In ceil mode the last window must start inside the input or left padding (PyTorch and ORT agree).
  if (ceil && (out - 1) * stride >= input + padBegin) out--;
  return out;
}
