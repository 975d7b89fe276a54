/**
 * Random scene layout: a slanted background plane and occluding objects, each a planar surface
 * with its own disparity plane d = a + b·x + c·y (left-view pixels) and its own texture.
 */
import { createShape, type Shape } from './shapes.js';
import { createTexture, type TextureTile } from './textures.js';
import type { Rng } from './rng.js';
import { SHAPE_KINDS, type TextureKind } from './types.js';
import type { Workspace } from './workspace.js';

/** One planar surface of a scene. */
export interface Layer {
  /** 0 for the background, 1.. for objects (stable within a scene). */
  id: number;
  /** Disparity plane d = a + b·x + c·y in left-view pixels. */
  a: number;
  b: number;
  c: number;
  /** Outline in left-view pixels; null for the background, which covers everything. */
  shape: Shape | null;
  /** Texture family of `texture`. */
  kind: TextureKind;
  texture: TextureTile;
}

/** A scene ready to render. */
export interface Scene {
  width: number;
  height: number;
  layers: Layer[];
}

/** What {@link createScene} needs (already validated). */
export interface SceneParams {
  width: number;
  height: number;
  maxDisparity: number;
  minObjects: number;
  maxObjects: number;
  textures: readonly TextureKind[];
}

/** Background slant is capped so the right view stretches a surface by at most 1/(1-0.15). */
const MAX_SLANT_X = 0.15;

/** Disparity range every surface stays in: strictly inside (0, maxDisparity - 1]. */
function disparityBounds(maxDisparity: number): [number, number] {
  const hi = maxDisparity - 1;
  return [Math.min(0.5, hi / 2), hi];
}

/**
 * Builds a random scene. Every disparity lies in (0, maxDisparity); objects are always in front
 * of the background where they overlap it; textures cover every left-view pixel a surface can
 * show in either view.
 */
export function createScene(p: SceneParams, rng: Rng, ws: Workspace): Scene {
  const { width: w, height: h } = p;
  const [dLo, dHi] = disparityBounds(p.maxDisparity);
  // The right view sees left-view x up to w - 1 + d, so the background plane must be valid there.
  const spanX = w - 1 + dHi;
  const layers: Layer[] = [];

  const bgHi = dLo + (dHi - dLo) * rng.uniform(0.05, 0.6);
  const room = bgHi - dLo;
  let b = 0;
  let c = 0;
  if (rng.chance(0.85)) {
    b = rng.uniform(-0.5, 0.5) * (room / spanX);
    c = rng.uniform(-0.4, 1) * (room / Math.max(1, h - 1));
  }
  b = Math.max(-MAX_SLANT_X, Math.min(MAX_SLANT_X, b));
  const range = Math.abs(b) * spanX + Math.abs(c) * (h - 1);
  if (range > room) {
    b *= room / range;
    c *= room / range;
  }
  const bgMin = dLo + rng.float() * Math.max(0, room - Math.abs(b) * spanX - Math.abs(c) * (h - 1));
  const bg = {
    id: 0,
    a: bgMin - Math.min(0, b * spanX) - Math.min(0, c * (h - 1)),
    b,
    c,
    shape: null,
  };
  const bgTexX1 = Math.ceil(spanX) + 1;
  const bgKind = rng.pick(p.textures);
  layers.push({ ...bg, kind: bgKind, texture: createTexture(bgKind, 0, 0, bgTexX1 + 1, h, rng, ws, 'tile0') });

  const count = rng.int(p.minObjects, p.maxObjects);
  const scale = Math.min(w, h);
  for (let n = 0; n < count; n++) {
    // Retry a few times if an object lands where neither view can see it.
    for (let attempt = 0; attempt < 4; attempt++) {
      const kind = rng.pick(SHAPE_KINDS);
      const r = scale * rng.logUniform(0.05, 0.5);
      const shape = createShape(kind, rng.uniform(-0.1 * w, 1.1 * w + 0.5 * dHi), rng.uniform(-0.1 * h, 1.1 * h), r, rng);
      const tx0 = Math.max(0, Math.floor(shape.minX));
      const tx1 = Math.min(bgTexX1, Math.ceil(shape.maxX) + 1);
      const ty0 = Math.max(0, Math.floor(shape.minY));
      const ty1 = Math.min(h - 1, Math.ceil(shape.maxY));
      if (tx1 - tx0 < 2 || ty1 < ty0) continue;
      layers.push(objectLayer(layers.length, shape, bg, dHi, rng, ws, p.textures, [tx0, tx1, ty0, ty1]));
      break;
    }
  }
  return { width: w, height: h, layers };
}

/** An object's plane: in front of the background over its whole box, below dHi, maybe slanted. */
function objectLayer(
  id: number, shape: Shape, bg: { a: number; b: number; c: number }, dHi: number, rng: Rng, ws: Workspace,
  textures: readonly TextureKind[], [tx0, tx1, ty0, ty1]: [number, number, number, number],
): Layer {
  const x0 = Math.max(shape.minX, 0);
  const x1 = Math.max(x0, Math.min(shape.maxX, tx1));
  const y0 = Math.max(shape.minY, 0);
  const y1 = Math.max(y0, Math.min(shape.maxY, ty1));
  const bgMax = bg.a + Math.max(bg.b * x0, bg.b * x1) + Math.max(bg.c * y0, bg.c * y1);
  const lo = Math.min(dHi, bgMax + 0.5);
  const dc = rng.uniform(lo, dHi);
  let b = 0;
  let c = 0;
  if (rng.chance(0.6)) {
    b = rng.uniform(-0.1, 0.1);
    c = rng.uniform(-0.15, 0.15);
  }
  const mx = (x0 + x1) / 2;
  const my = (y0 + y1) / 2;
  const extent = Math.abs(b) * (x1 - x0) * 0.5 + Math.abs(c) * (y1 - y0) * 0.5;
  if (extent > 0) {
    const s = Math.min(1, (dc - lo) / extent, (dHi - dc) / extent);
    b *= s;
    c *= s;
  }
  const kind = rng.pick(textures);
  const texture = createTexture(kind, tx0, ty0, tx1 - tx0 + 1, ty1 - ty0 + 1, rng, ws, `tile${id}`);
  return { id, a: dc - b * mx - c * my, b, c, shape, kind, texture };
}
