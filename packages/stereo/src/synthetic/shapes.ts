/**
 * Occluder outlines as polygons (one or more contours, even-odd fill) in left-view coordinates.
 * Rendering needs only each row's covered intervals, which both views derive from the same
 * outline: the left view directly, the right view through the surface's disparity plane.
 */
import type { Rng } from './rng.js';
import type { ShapeKind } from './types.js';

/** A filled outline: contours are flat [x0, y0, x1, y1, ...] arrays; holes come from even-odd filling. */
export interface Shape {
  contours: Float64Array[];
  /** Bounding box in left-view pixels. */
  minX: number;
  maxX: number;
  minY: number;
  maxY: number;
}

function fromContours(contours: Float64Array[]): Shape {
  let minX = Infinity;
  let maxX = -Infinity;
  let minY = Infinity;
  let maxY = -Infinity;
  for (const c of contours) {
    for (let i = 0; i < c.length; i += 2) {
      minX = Math.min(minX, c[i]!);
      maxX = Math.max(maxX, c[i]!);
      minY = Math.min(minY, c[i + 1]!);
      maxY = Math.max(maxY, c[i + 1]!);
    }
  }
  return { contours, minX, maxX, minY, maxY };
}

/** A closed outline around (cx, cy) with radius `radius(angle)`, rotated by `rot`, stretched by `aspect`. */
function radial(cx: number, cy: number, n: number, rot: number, aspect: number, radius: (t: number, i: number) => number): Float64Array {
  const c = new Float64Array(2 * n);
  const cr = Math.cos(rot);
  const sr = Math.sin(rot);
  for (let i = 0; i < n; i++) {
    const t = (2 * Math.PI * i) / n;
    const r = radius(t, i);
    const x = r * Math.cos(t) * aspect;
    const y = r * Math.sin(t);
    c[2 * i] = cx + x * cr - y * sr;
    c[2 * i + 1] = cy + x * sr + y * cr;
  }
  return c;
}

function rotatedRect(cx: number, cy: number, hw: number, hh: number, rot: number): Float64Array {
  const cr = Math.cos(rot);
  const sr = Math.sin(rot);
  const c = new Float64Array(8);
  const corners = [-hw, -hh, hw, -hh, hw, hh, -hw, hh];
  for (let i = 0; i < 4; i++) {
    const x = corners[2 * i]!;
    const y = corners[2 * i + 1]!;
    c[2 * i] = cx + x * cr - y * sr;
    c[2 * i + 1] = cy + x * sr + y * cr;
  }
  return c;
}

/** Enough vertices that a curved outline looks smooth at this radius (≈ one per 3 px). */
const curveVertices = (r: number): number => Math.max(24, Math.min(128, Math.round((2 * Math.PI * r) / 3)));

type MakeShape = (cx: number, cy: number, r: number, rng: Rng) => Float64Array[];

/** One outline builder per shape kind. `r` is the characteristic radius in pixels. */
const makers: Record<ShapeKind, MakeShape> = {
  rectangle: (cx, cy, r, rng) => {
    const rot = rng.chance(0.4) ? 0 : rng.uniform(0, Math.PI);
    return [rotatedRect(cx, cy, r * rng.uniform(0.4, 1), r * rng.uniform(0.4, 1), rot)];
  },
  ellipse: (cx, cy, r, rng) => [radial(cx, cy, curveVertices(r), rng.uniform(0, Math.PI), rng.uniform(0.4, 1.6), () => r)],
  polygon: (cx, cy, r, rng) => {
    const n = rng.int(3, 8);
    const angles = Array.from({ length: n }, () => rng.uniform(0, 2 * Math.PI)).sort((a, b) => a - b);
    const c = new Float64Array(2 * n);
    for (let i = 0; i < n; i++) {
      const rr = r * rng.uniform(0.6, 1);
      c[2 * i] = cx + rr * Math.cos(angles[i]!);
      c[2 * i + 1] = cy + rr * Math.sin(angles[i]!);
    }
    return [c];
  },
  star: (cx, cy, r, rng) => {
    const points = rng.int(4, 8);
    const inner = rng.uniform(0.35, 0.65);
    return [radial(cx, cy, 2 * points, rng.uniform(0, Math.PI), 1, (_t, i) => (i % 2 === 0 ? r : r * inner))];
  },
  blob: (cx, cy, r, rng) => {
    const harmonics = Array.from({ length: 4 }, (_, k) => ({
      k: k + 2,
      amp: rng.uniform(0, 0.25 / (k + 1)),
      phase: rng.uniform(0, 2 * Math.PI),
    }));
    const radius = (t: number): number => r * (1 + harmonics.reduce((s, h) => s + h.amp * Math.sin(h.k * t + h.phase), 0));
    return [radial(cx, cy, curveVertices(r), rng.uniform(0, Math.PI), rng.uniform(0.6, 1.4), radius)];
  },
  ring: (cx, cy, r, rng) => {
    const rot = rng.uniform(0, Math.PI);
    const aspect = rng.uniform(0.6, 1.5);
    const hole = rng.uniform(0.35, 0.75);
    const n = curveVertices(r);
    return [radial(cx, cy, n, rot, aspect, () => r), radial(cx, cy, n, rot, aspect, () => r * hole)];
  },
  bar: (cx, cy, r, rng) => {
    const rot = rng.chance(0.5) ? rng.uniform(-0.3, 0.3) + (rng.chance(0.5) ? Math.PI / 2 : 0) : rng.uniform(0, Math.PI);
    return [rotatedRect(cx, cy, r * rng.uniform(1.5, 4), rng.uniform(1, 6), rot)];
  },
};

/**
 * A random outline of the given kind.
 * @param cx - centre x, left-view pixels.
 * @param cy - centre y, left-view pixels.
 * @param r - characteristic radius in pixels, > 0.
 */
export function createShape(kind: ShapeKind, cx: number, cy: number, r: number, rng: Rng): Shape {
  return fromContours(makers[kind](cx, cy, r, rng));
}

/** Largest number of span endpoints a row of `shape` can produce (its vertex count). */
export function maxCrossings(shape: Shape): number {
  return shape.contours.reduce((n, c) => n + c.length / 2, 0);
}

/**
 * Intervals of row `y` inside `shape` (even-odd rule), written as sorted [xa, xb, xa, xb, ...]
 * into `out` (length ≥ {@link maxCrossings}). Returns how many values were written.
 */
export function rowSpans(shape: Shape, y: number, out: Float64Array): number {
  let n = 0;
  for (const c of shape.contours) {
    const m = c.length;
    for (let i = 0, j = m - 2; i < m; j = i, i += 2) {
      const yi = c[i + 1]!;
      const yj = c[j + 1]!;
      // Half-open rule: a vertex exactly on the row counts once.
      if (yi <= y !== yj <= y) {
        const xi = c[i]!;
        out[n++] = xi + ((y - yi) * (c[j]! - xi)) / (yj - yi);
      }
    }
  }
  // Insertion sort: a row crosses only a handful of edges.
  for (let i = 1; i < n; i++) {
    const v = out[i]!;
    let k = i - 1;
    while (k >= 0 && out[k]! > v) {
      out[k + 1] = out[k]!;
      k--;
    }
    out[k + 1] = v;
  }
  return n;
}
