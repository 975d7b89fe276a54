/**
 * Public types of the procedural synthetic stereo generator.
 */
import type { DisparityMap, Mask, RasterImage } from '@stereo-sdk/core';

/** The procedural texture families a surface can carry; each scene mixes several. */
export const TEXTURE_KINDS = ['noise', 'stripes', 'checker', 'dots', 'gradient', 'cells'] as const;
/** One procedural texture family (see {@link TEXTURE_KINDS}). */
export type TextureKind = (typeof TEXTURE_KINDS)[number];

/** The occluder outlines a scene draws from. */
export const SHAPE_KINDS = ['rectangle', 'ellipse', 'polygon', 'star', 'blob', 'ring', 'bar'] as const;
/** One occluder outline (see {@link SHAPE_KINDS}). */
export type ShapeKind = (typeof SHAPE_KINDS)[number];

/** Options of {@link generateSyntheticPair}; every field is optional (see `SYNTHETIC_DEFAULTS`). */
export interface SyntheticOptions {
  /** Image width in pixels, integer in [16, 8192]; default 512. Must exceed `maxDisparity` by 8 or more. */
  width?: number;
  /** Image height in pixels, integer in [16, 8192]; default 256. */
  height?: number;
  /** Exclusive upper bound of every disparity, in pixels, integer in [2, 1024]; default 96. */
  maxDisparity?: number;
  /** Fewest occluding objects per scene, integer in [0, 64]; default 3. */
  minObjects?: number;
  /** Most occluding objects per scene, integer in [minObjects, 64]; default 8. */
  maxObjects?: number;
  /** Texture families to draw from; non-empty subset of {@link TEXTURE_KINDS}; default all. */
  textures?: readonly TextureKind[];
  /**
   * Apply per-view photometric differences (gain, bias, gamma, colour balance, vignetting, sensor
   * noise); default true. With false both views are the clean renders, so the right view is an
   * exact resampling of the left one wherever the left pixel is visible.
   */
  photometric?: boolean;
}

/** A rendered stereo pair with exact ground truth. */
export interface SyntheticPair {
  /** Left view, 8-bit RGB. */
  left: RasterImage;
  /** Right view, 8-bit RGB. */
  right: RasterImage;
  /** Left-referenced disparity (`x_right = x_left - d`), dense: every value is finite, in (0, maxDisparity). */
  disparity: DisparityMap;
  /** 1 where the left pixel is hidden in the right view or falls outside it, else 0. */
  occlusion: Mask;
}
