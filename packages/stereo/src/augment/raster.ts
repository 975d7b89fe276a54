/** Pixel-level helpers the augmentations share: views of an image as normalised floats. */
import { ShapeMismatchError, type RasterImage } from '@stereo-sdk/core';
import type { StereoSample } from '../datasets/sample.js';

/** Largest sample value of an image's bit depth (float images are taken as [0, 1]). */
export const maxValue = (img: RasterImage): number => (img.bitDepth === 8 ? 255 : img.bitDepth === 16 ? 65535 : 1);

/** Colour channels (alpha, the last of 2 or 4, is left alone by colour operations). */
export const colorChannels = (img: RasterImage): number => (img.channels === 2 || img.channels === 4 ? img.channels - 1 : img.channels);

/** A new image of the same type and shape. */
export function emptyLike(img: RasterImage): RasterImage {
  const Ctor = img.data.constructor as new (n: number) => RasterImage['data'];
  return { ...img, data: new Ctor(img.data.length) };
}

/** Throws unless both views (and every map) share the left image's size. */
export function assertAligned(sample: StereoSample, where: string): void {
  const { width, height } = sample.left;
  const parts = { right: sample.right, disparity: sample.disparity, valid: sample.valid, occlusion: sample.occlusion };
  for (const [key, part] of Object.entries(parts)) {
    if (part !== undefined && (part.width !== width || part.height !== height)) {
      throw new ShapeMismatchError(
        `${where}: ${sample.name} ${key} is ${part.width}×${part.height} but left is ${width}×${height}`,
      );
    }
  }
}
