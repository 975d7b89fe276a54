/** Masks derived from ground truth, shared by the readers. */
import type { DisparityMap, Mask, RasterImage } from '@stereo-sdk/core';

/** 1 where the disparity is finite. */
export function validMask(disp: DisparityMap): Mask {
  const data = new Uint8Array(disp.data.length);
  for (let i = 0; i < data.length; i++) data[i] = Number.isFinite(disp.data[i]) ? 1 : 0;
  return { data, width: disp.width, height: disp.height };
}

/**
 * KITTI occlusion: valid in the all-pixels map (`disp_occ`) but not in the non-occluded one
 * (`disp_noc`). Returns undefined when the two sizes differ (the caller reports it).
 */
export function occlusionFromOccNoc(occ: DisparityMap, noc: DisparityMap): Mask | undefined {
  if (occ.width !== noc.width || occ.height !== noc.height) return undefined;
  const data = new Uint8Array(occ.data.length);
  for (let i = 0; i < data.length; i++) {
    data[i] = Number.isFinite(occ.data[i]) && !Number.isFinite(noc.data[i]) ? 1 : 0;
  }
  return { data, width: occ.width, height: occ.height };
}

/**
 * Middlebury/ETH3D `mask0nocc.png`: 255 = visible in both views; lower values (Middlebury 128,
 * ETH3D 0) on a pixel with valid ground truth mean occluded.
 */
export function occlusionFromNoccMask(mask: RasterImage, disp: DisparityMap): Mask | undefined {
  if (mask.width !== disp.width || mask.height !== disp.height) return undefined;
  const full = mask.bitDepth === 16 ? 65535 : 255;
  const data = new Uint8Array(disp.data.length);
  for (let i = 0; i < data.length; i++) {
    data[i] = Number.isFinite(disp.data[i]) && mask.data[i * mask.channels] < full ? 1 : 0;
  }
  return { data, width: disp.width, height: disp.height };
}

/** Replaces exact zeros by Infinity (datasets that mark "no ground truth" with 0). */
export function zeroToInvalid(disp: DisparityMap): DisparityMap {
  const data = Float32Array.from(disp.data, (v) => (v === 0 ? Infinity : v));
  return { data, width: disp.width, height: disp.height };
}
