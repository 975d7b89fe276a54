/**
 * The in-memory generator: options in, one stereo pair with exact ground truth out. Pure function
 * of (options, seed), so training can generate pairs on the fly and a dataset can be resumed.
 */
import { is } from '@stereo-sdk/core';
import { randomPhotometry, toUint8 } from './photometric.js';
import { renderScene, type SceneRender } from './render.js';
import { Rng } from './rng.js';
import { createScene, type Scene } from './scene.js';
import { TEXTURE_KINDS, type SyntheticOptions, type SyntheticPair, type TextureKind } from './types.js';
import { freshWorkspace, Workspace } from './workspace.js';

/** Defaults of every {@link SyntheticOptions} field. */
export const SYNTHETIC_DEFAULTS: Readonly<Required<SyntheticOptions>> = Object.freeze({
  width: 512,
  height: 256,
  maxDisparity: 96,
  minObjects: 3,
  maxObjects: 8,
  textures: TEXTURE_KINDS,
  photometric: true,
});

/** Largest image side accepted (memory guard: a pair at 8192² needs ~2 GB of buffers). */
const MAX_SIDE = 8192;

/**
 * Fills in defaults and validates generator options.
 * @param options - see {@link SyntheticOptions}; missing or undefined fields take `SYNTHETIC_DEFAULTS`.
 * @returns every field set.
 * @throws InvalidParameterError naming the first bad field.
 * @example
 * ```ts
 * resolveSyntheticOptions({ width: 320 }); // { width: 320, height: 256, maxDisparity: 96, ... }
 * ```
 */
export function resolveSyntheticOptions(options: SyntheticOptions = {}): Required<SyntheticOptions> {
  if (!is.plainObject(options)) throw is.invalidParameterError('options', 'a plain object', options);
  const o = { ...SYNTHETIC_DEFAULTS, ...stripUndefined(options) };
  is.assertInteger('width', o.width, 16, MAX_SIDE);
  is.assertInteger('height', o.height, 16, MAX_SIDE);
  is.assertInteger('maxDisparity', o.maxDisparity, 2, 1024);
  if (o.maxDisparity > o.width - 8) {
    throw is.invalidParameterError('maxDisparity', `an integer ≤ width - 8 = ${o.width - 8}`, o.maxDisparity);
  }
  is.assertInteger('minObjects', o.minObjects, 0, 64);
  is.assertInteger('maxObjects', o.maxObjects, o.minObjects, 64);
  if (!Array.isArray(o.textures) || o.textures.length === 0) {
    throw is.invalidParameterError('textures', `a non-empty array of ${TEXTURE_KINDS.join(', ')}`, o.textures);
  }
  o.textures.forEach((t, i) => is.assertOneOf(`textures[${i}]`, t, TEXTURE_KINDS));
  if (!is.bool(o.photometric)) throw is.invalidParameterError('photometric', 'a boolean', o.photometric);
  return { ...o, textures: [...o.textures] as TextureKind[] };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Everything one seed produces, including the internals tests check ground truth against. */
export interface SyntheticRender {
  scene: Scene;
  render: SceneRender;
  pair: SyntheticPair;
}

/** Scratch buffers reused by {@link generateSyntheticPair} (generation is synchronous, so never shared mid-pair). */
const shared = new Workspace(true);

/**
 * Generates a pair and keeps the scene and clean renders (internal: tests use it to check the
 * ground truth against the views). With the default fresh workspace the intermediates stay valid.
 */
export function renderSyntheticPair(options: SyntheticOptions, seed: number, ws: Workspace = freshWorkspace()): SyntheticRender {
  const o = resolveSyntheticOptions(options);
  is.assertInteger('seed', seed, 0, 0xffffffff);
  const rng = new Rng(seed);
  const scene = createScene(o, rng, ws);
  const render = renderScene(scene, ws);
  const { width: w, height: h } = o;
  const [pl, pr] = o.photometric ? randomPhotometry(rng) : [null, null];
  const image = (data: Uint8Array) => ({ data, width: w, height: h, channels: 3 as const, bitDepth: 8 as const });
  const pair: SyntheticPair = {
    left: image(toUint8(render.leftColor, w, h, pl, rng)),
    right: image(toUint8(render.rightColor, w, h, pr, rng)),
    disparity: { data: render.leftDisparity, width: w, height: h },
    occlusion: { data: render.occlusion, width: w, height: h },
  };
  return { scene, render, pair };
}

/**
 * Generates one synthetic stereo pair: textured slanted background, several textured (possibly
 * slanted) occluders at different depths, and per-view photometric differences. Ground truth is
 * exact: the right view is rendered from the same surfaces and textures as the left.
 * @param options - image size, disparity range, object count, texture families (see {@link SyntheticOptions}).
 * @param seed - integer in [0, 2^32 - 1]; default 0. The same (options, seed) always gives the same pair.
 * @returns 8-bit RGB views, dense left disparity in (0, maxDisparity), and the occlusion mask.
 * @throws InvalidParameterError for an out-of-range option or seed.
 * @example
 * ```ts
 * const { left, right, disparity, occlusion } = generateSyntheticPair({ width: 320, height: 240, maxDisparity: 64 }, 7);
 * ```
 */
export function generateSyntheticPair(options: SyntheticOptions = {}, seed = 0): SyntheticPair {
  return renderSyntheticPair(options, seed, shared).pair;
}
