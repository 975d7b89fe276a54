/**
 * Interleaved raster → planar (CHW) float, the layout and range networks consume.
 */
import { invalidParameterError } from '../is.js';
import type { PlanarImage, RasterImage } from '../types.js';
import { assertOptions, assertRaster } from './check.js';

/** Rec. 601 luma weights, the usual gray conversion for stereo matching. */
const LUMA = [0.299, 0.587, 0.114] as const;

/**
 * Converts a raster image to planar float: channel-major (`data[c * H * W + y * W + x]`).
 * @param img - 8-bit (divided by 255), 16-bit (divided by 65535) or float (copied as-is) samples.
 * @param options.channels - 3 (default): RGB, gray replicated to three planes; 1: gray, RGB reduced
 *   with Rec. 601 luma weights. Alpha is always dropped.
 * @returns values in [0, 1] for integer sources.
 * @throws InvalidParameterError when `img` is malformed or `channels` is not 1 or 3.
 * @example
 * const x = toPlanarFloat(await readImage('left.png')); // x.channels === 3
 */
export function toPlanarFloat(img: RasterImage, options?: { channels?: 1 | 3 }): PlanarImage {
  assertRaster('img', img);
  assertOptions('options', options);
  const outChannels = options?.channels ?? 3;
  if (outChannels !== 1 && outChannels !== 3) throw invalidParameterError('options.channels', '1 or 3', outChannels);
  const { width, height, channels, data } = img;
  const scale = img.bitDepth === 8 ? 1 / 255 : img.bitDepth === 16 ? 1 / 65535 : 1;
  const plane = width * height;
  const out = new Float32Array(plane * outChannels);
  const colour = channels >= 3;
  for (let i = 0, p = 0; i < plane; i++, p += channels) {
    if (!colour) {
      const g = data[p] * scale;
      out[i] = g;
      if (outChannels === 3) out[plane + i] = out[2 * plane + i] = g;
    } else if (outChannels === 3) {
      out[i] = data[p] * scale;
      out[plane + i] = data[p + 1] * scale;
      out[2 * plane + i] = data[p + 2] * scale;
    } else {
      out[i] = (LUMA[0] * data[p] + LUMA[1] * data[p + 1] + LUMA[2] * data[p + 2]) * scale;
    }
  }
  return { data: out, width, height, channels: outChannels };
}
