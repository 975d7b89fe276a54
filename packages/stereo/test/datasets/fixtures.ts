/** Builders of tiny dataset trees for the reader tests, written with core's format writers. */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { writeFileAtomic, writeImage, writeKittiDisparity, writePfm, type DisparityMap, type RasterImage } from '@stereo-sdk/core';

export const W = 16;
export const H = 8;

/** A fresh temp folder; `cleanup()` removes it. */
export async function tempRoot(prefix: string): Promise<{ root: string; cleanup: () => Promise<void> }> {
  const root = await mkdtemp(path.join(os.tmpdir(), `stereo-${prefix}-`));
  return { root, cleanup: () => rm(root, { recursive: true, force: true }) };
}

/** Deterministic 8-bit texture; `seed` makes every image of a tree distinct. */
export function texture(seed: number, width = W, height = H, channels: 1 | 3 = 3): RasterImage {
  const data = new Uint8Array(width * height * channels);
  let s = (seed * 2654435761) >>> 0 || 1;
  for (let i = 0; i < data.length; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    data[i] = (s >>> 0) % 256;
  }
  return { data, width, height, channels, bitDepth: 8 };
}

/** Right view of `left` under constant disparity `d`: right(x) = left(x + d), 0 past the edge. */
export function shifted(left: RasterImage, d: number): RasterImage {
  const { width, height, channels } = left;
  const data = new Uint8Array(left.data.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x + d < width; x++) {
      for (let c = 0; c < channels; c++) data[(y * width + x) * channels + c] = left.data[(y * width + x + d) * channels + c];
    }
  }
  return { ...left, data };
}

/** Disparity `value(x, y)` over W×H. */
export function disparity(value: (x: number, y: number) => number, width = W, height = H): DisparityMap {
  const data = new Float32Array(width * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data[y * width + x] = value(x, y);
  return { data, width, height };
}

/** Writes a left/right pair (right = left shifted by `d`) and returns the left image. */
export async function writePair(leftPath: string, rightPath: string, seed: number, d = 2): Promise<RasterImage> {
  const left = texture(seed);
  await Promise.all([writeImage(leftPath, left), writeImage(rightPath, shifted(left, d))]);
  return left;
}

export const writeText = (file: string, text: string): Promise<void> => writeFileAtomic(file, text);
export { writeImage, writeKittiDisparity, writePfm };

/** KITTI calib_cam_to_cam style: one matrix per line. */
export const KITTI_CAM_TO_CAM = `calib_time: 09-Jan-2012 13:57:47
corner_dist: 9.950000e-02
P_rect_00: 7.215377e+02 0.000000e+00 6.095593e+02 0.000000e+00 0.000000e+00 7.215377e+02 1.728540e+02 0.000000e+00 0.000000e+00 0.000000e+00 1.000000e+00 0.000000e+00
P_rect_01: 7.215377e+02 0.000000e+00 6.095593e+02 -3.875744e+02 0.000000e+00 7.215377e+02 1.728540e+02 0.000000e+00 0.000000e+00 0.000000e+00 1.000000e+00 0.000000e+00
P_rect_02: 7.215377e+02 0.000000e+00 6.095593e+02 4.485728e+01 0.000000e+00 7.215377e+02 1.728540e+02 2.163791e-01 0.000000e+00 0.000000e+00 1.000000e+00 2.745884e-03
P_rect_03: 7.215377e+02 0.000000e+00 6.095593e+02 -3.395242e+02 0.000000e+00 7.215377e+02 1.728540e+02 2.199936e+00 0.000000e+00 0.000000e+00 1.000000e+00 2.729905e-03
`;

/** KITTI 2012 calib/ style: P0..P3. */
export const KITTI_P0123 = `P0: 7.070912e+02 0.000000e+00 6.018873e+02 0.000000e+00 0.000000e+00 7.070912e+02 1.831104e+02 0.000000e+00 0.000000e+00 0.000000e+00 1.000000e+00 0.000000e+00
P1: 7.070912e+02 0.000000e+00 6.018873e+02 -3.798145e+02 0.000000e+00 7.070912e+02 1.831104e+02 0.000000e+00 0.000000e+00 0.000000e+00 1.000000e+00 0.000000e+00
P2: 7.070912e+02 0.000000e+00 6.018873e+02 4.688783e+01 0.000000e+00 7.070912e+02 1.831104e+02 1.178601e-01 0.000000e+00 0.000000e+00 1.000000e+00 6.203223e-03
P3: 7.070912e+02 0.000000e+00 6.018873e+02 -3.334597e+02 0.000000e+00 7.070912e+02 1.831104e+02 1.930130e+00 0.000000e+00 0.000000e+00 1.000000e+00 3.318498e-03
`;

/** Middlebury 2014 style calib.txt. */
export const MIDDLEBURY_CALIB = `cam0=[3997.684 0 1176.728; 0 3997.684 1011.728; 0 0 1]
cam1=[3997.684 0 1307.839; 0 3997.684 1011.728; 0 0 1]
doffs=131.111
baseline=193.001
width=2964
height=1988
ndisp=280
isint=0
vmin=31
vmax=257
dyavg=0.918
dymax=1.516
`;
