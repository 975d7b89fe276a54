/** Synthetic samples whose correspondences are known exactly, for the augmentation tests. */
import type { RasterImage } from '@stereo-sdk/core';
import type { StereoSample } from '@stereo-sdk/stereo';

/** Texture with distinct values per pixel and channel, so a crop's origin can be recovered. */
export function coded(width: number, height: number, channels: 1 | 3 = 3): RasterImage {
  const data = new Uint8Array(width * height * channels);
  for (let i = 0; i < data.length; i++) data[i] = (i * 37 + ((i / channels) | 0) * 11) % 251;
  return { data, width, height, channels, bitDepth: 8 };
}

/**
 * A sample with constant disparity `d`: right(x) = left(x + d); disparity is valid where the match
 * is inside the image; occlusion marks the first `d` columns (no match in the right view).
 */
export function shiftedSample(width = 40, height = 24, d = 3): StereoSample {
  const left = coded(width, height);
  const right = { ...left, data: new Uint8Array(left.data.length) };
  const disp = new Float32Array(width * height);
  const valid = new Uint8Array(width * height);
  const occlusion = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      disp[i] = x - d >= 0 ? d : Infinity;
      valid[i] = x - d >= 0 ? 1 : 0;
      occlusion[i] = x - d < 0 ? 1 : 0;
      if (x + d < width) for (let c = 0; c < 3; c++) right.data[i * 3 + c] = left.data[(i + d) * 3 + c];
    }
  }
  return {
    name: 'test/shifted',
    left,
    right,
    disparity: { data: disp, width, height },
    valid: { data: valid, width, height },
    occlusion: { data: occlusion, width, height },
    meta: { dataset: 'test', calib: { focal: 100, baseline: 0.1, cx: 20, cy: 12 } },
  };
}

/** Checks left(x, y) == right(x - d, y) wherever the disparity is finite. */
export function correspondencesHold(s: StereoSample): boolean {
  const { width: W, height: H, channels: C } = s.left;
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const d = s.disparity!.data[y * W + x];
      if (!Number.isFinite(d) || x - d < 0) continue;
      for (let c = 0; c < C; c++) {
        if (s.left.data[(y * W + x) * C + c] !== s.right.data[(y * W + x - d) * C + c]) return false;
      }
    }
  }
  return true;
}
