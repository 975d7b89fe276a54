/**
 * Disparity → depth for a rectified pair: `depth = focal · baseline / (d + doffs)`, in the units of
 * `baseline` (metres when the calibration comes from {@link readCalibration}).
 */
import { INVALID_DISPARITY } from './defaults.js';
import { is } from '@stereo-sdk/common';

/** Camera parameters for {@link toDepth}; a {@link StereoCalibration} fits as is. */
export interface DepthParams {
  /** Focal length in pixels at the disparity map's resolution (> 0). */
  focal: number;
  /** Distance between the camera centres (> 0); depth comes out in the same unit. */
  baseline: number;
  /** Difference of the principal points' x, right minus left, in pixels. Default 0. */
  doffs?: number;
}

/**
 * Converts a disparity map to a depth map. Invalid disparities, and disparities at or beyond
 * `-doffs` (zero or negative denominator, i.e. at or past infinity), give `NaN`.
 * @param disparity - disparity in pixels, row-major.
 * @param params - focal (px, > 0), baseline (> 0), doffs (px, default 0).
 * @returns depth, same length as `disparity`.
 * @throws InvalidParameterError when a parameter is missing or out of range.
 * @example
 * const calib = await readCalibration('calib.txt');
 * const depth = toDepth(result.disparity, calib); // metres
 */
export function toDepth(disparity: Float32Array, params: DepthParams): Float32Array {
  if (!(disparity instanceof Float32Array)) throw is.invalidParameterError('disparity', 'a Float32Array', disparity);
  is.assertObject('params', params);
  is.assertNumber('focal', params.focal, Number.MIN_VALUE);
  is.assertNumber('baseline', params.baseline, Number.MIN_VALUE);
  const doffs = params.doffs ?? 0;
  is.assertNumber('doffs', doffs);
  const fb = params.focal * params.baseline;
  const depth = new Float32Array(disparity.length);
  for (let i = 0; i < disparity.length; i++) {
    const denom = disparity[i] + doffs;
    // `denom > 0` is false for NaN too; an infinite disparity gives 0 and is rejected with it.
    depth[i] = denom > 0 && Number.isFinite(denom) ? fb / denom : INVALID_DISPARITY;
  }
  return depth;
}
