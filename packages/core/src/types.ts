/**
 * Public data types shared by the formats, metrics and dataset modules.
 *
 * Conventions (used everywhere in stereo-sdk):
 * - Images are interleaved (HWC) as decoded; networks get planar (CHW) float via `toPlanarFloat`.
 * - Disparity is positive, in pixels, left-referenced: `x_right = x_left - d`.
 * - An invalid disparity (no ground truth, or rejected by a consistency check) is any non-finite
 *   value; readers write `Infinity`. Test validity with `Number.isFinite(d)`.
 */

/** A decoded raster image, interleaved (row-major, channels last). */
export interface RasterImage {
  /** Pixel samples: `Uint8Array` for 8-bit, `Uint16Array` for 16-bit, `Float32Array` for float data. */
  data: Uint8Array | Uint16Array | Float32Array;
  width: number;
  height: number;
  /** 1 (gray), 2 (gray + alpha), 3 (RGB) or 4 (RGBA). */
  channels: 1 | 2 | 3 | 4;
  /** Bits per sample of the source: 8, 16, or 32 for float. */
  bitDepth: 8 | 16 | 32;
}

/** A planar (CHW) float image, the layout networks consume. */
export interface PlanarImage {
  data: Float32Array;
  width: number;
  height: number;
  channels: number;
}

/** A dense disparity map in pixels; non-finite values mark invalid pixels. */
export interface DisparityMap {
  data: Float32Array;
  width: number;
  height: number;
}

/** A boolean-like per-pixel mask (1 = set), e.g. validity or occlusion. */
export interface Mask {
  data: Uint8Array;
  width: number;
  height: number;
}
