/**
 * Boundary checks for the in-memory types the writers accept, so a malformed image fails with a
 * message naming the argument instead of a garbled file or a library error.
 */
import type { DisparityMap, Mask, RasterImage } from '../types.js';
import { assertInteger, invalidParameterError, number, plainObject } from '../is.js';

/** Largest side accepted; keeps `width * height * channels` far from overflow and sharp's limits. */
export const MAX_SIDE = 1 << 16;

function assertSize(name: string, v: { width?: unknown; height?: unknown }): void {
  assertInteger(`${name}.width`, v.width, 1, MAX_SIDE);
  assertInteger(`${name}.height`, v.height, 1, MAX_SIDE);
}

function assertLength(name: string, data: ArrayLike<number>, expected: number): void {
  if (data.length !== expected) throw invalidParameterError(`${name}.data`, `a length of ${expected}`, data);
}

/** Throws InvalidParameterError unless `img` is a well-formed RasterImage. */
export function assertRaster(name: string, img: unknown): asserts img is RasterImage {
  if (typeof img !== 'object' || img === null) throw invalidParameterError(name, 'a RasterImage object', img);
  const r = img as Partial<RasterImage>;
  assertSize(name, r);
  assertInteger(`${name}.channels`, r.channels, 1, 4);
  const expectedType = r.bitDepth === 8 ? Uint8Array : r.bitDepth === 16 ? Uint16Array : r.bitDepth === 32 ? Float32Array : undefined;
  if (expectedType === undefined) throw invalidParameterError(`${name}.bitDepth`, 'one of 8, 16, 32', r.bitDepth);
  if (!(r.data instanceof expectedType)) {
    throw invalidParameterError(`${name}.data`, `a ${expectedType.name} (bitDepth ${r.bitDepth})`, r.data);
  }
  assertLength(name, r.data, r.width! * r.height! * r.channels!);
}

/** Throws InvalidParameterError unless `disp` is a well-formed DisparityMap. */
export function assertDisparity(name: string, disp: unknown): asserts disp is DisparityMap {
  if (typeof disp !== 'object' || disp === null) throw invalidParameterError(name, 'a DisparityMap object', disp);
  const d = disp as Partial<DisparityMap>;
  assertSize(name, d);
  if (!(d.data instanceof Float32Array)) throw invalidParameterError(`${name}.data`, 'a Float32Array', d.data);
  assertLength(name, d.data, d.width! * d.height!);
}

/** Throws InvalidParameterError unless `mask` is a well-formed Mask. */
export function assertMask(name: string, mask: unknown): asserts mask is Mask {
  if (typeof mask !== 'object' || mask === null) throw invalidParameterError(name, 'a Mask object', mask);
  const m = mask as Partial<Mask>;
  assertSize(name, m);
  if (!(m.data instanceof Uint8Array)) throw invalidParameterError(`${name}.data`, 'a Uint8Array', m.data);
  assertLength(name, m.data, m.width! * m.height!);
}

/** Throws InvalidParameterError unless `options` is undefined or a plain object. */
export function assertOptions(name: string, options: unknown): void {
  if (options !== undefined && !plainObject(options)) throw invalidParameterError(name, 'an options object', options);
}

/** Throws InvalidParameterError unless `v` is a finite number > 0. */
export function assertPositive(name: string, v: unknown): asserts v is number {
  if (!number(v) || v <= 0) throw invalidParameterError(name, 'a positive number', v);
}
