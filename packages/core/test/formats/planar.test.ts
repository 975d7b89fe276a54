import { describe, it, expect } from 'vitest';
import { InvalidParameterError, toPlanarFloat, type RasterImage } from '@stereo-sdk/core';

// 2x2 RGBA, 8-bit: pixel p has R = 10p+1, G = 10p+2, B = 10p+3, A = 200.
const rgba: RasterImage = {
  data: new Uint8Array([1, 2, 3, 200, 11, 12, 13, 200, 21, 22, 23, 200, 31, 32, 33, 200]),
  width: 2,
  height: 2,
  channels: 4,
  bitDepth: 8,
};

describe('toPlanarFloat', () => {
  it('lays RGB out channel-major (CHW), divides 8-bit by 255 and drops alpha', () => {
    const out = toPlanarFloat(rgba);
    expect([out.channels, out.width, out.height]).toEqual([3, 2, 2]);
    const expected = [1, 11, 21, 31, 2, 12, 22, 32, 3, 13, 23, 33].map((v) => v / 255);
    expect(Array.from(out.data)).toEqual(expected.map((v) => Math.fround(v)));
  });

  it('replicates gray into three planes; divides 16-bit by 65535', () => {
    const gray: RasterImage = { data: new Uint16Array([0, 65535, 32768, 1]), width: 4, height: 1, channels: 1, bitDepth: 16 };
    const out = toPlanarFloat(gray);
    const plane = [0, 1, 32768 / 65535, 1 / 65535].map((v) => Math.fround(v));
    expect(Array.from(out.data)).toEqual([...plane, ...plane, ...plane]);
  });

  it('gray + alpha keeps the gray plane only', () => {
    const ga: RasterImage = { data: new Uint8Array([255, 0, 0, 255]), width: 2, height: 1, channels: 2, bitDepth: 8 };
    expect(Array.from(toPlanarFloat(ga, { channels: 1 }).data)).toEqual([1, 0]);
  });

  it('channels: 1 reduces RGB with Rec. 601 luma', () => {
    const rgb: RasterImage = { data: new Uint8Array([255, 0, 0, 0, 255, 0, 0, 0, 255]), width: 3, height: 1, channels: 3, bitDepth: 8 };
    const out = toPlanarFloat(rgb, { channels: 1 });
    expect(out.channels).toBe(1);
    expect(out.data[0]).toBeCloseTo(0.299, 6);
    expect(out.data[1]).toBeCloseTo(0.587, 6);
    expect(out.data[2]).toBeCloseTo(0.114, 6);
  });

  it('copies float samples unchanged', () => {
    const f: RasterImage = { data: new Float32Array([0.25, 2]), width: 2, height: 1, channels: 1, bitDepth: 32 };
    expect(Array.from(toPlanarFloat(f, { channels: 1 }).data)).toEqual([0.25, 2]);
  });

  it('rejects bad options and malformed images', () => {
    expect(() => toPlanarFloat(rgba, { channels: 2 as 1 })).toThrow(InvalidParameterError);
    expect(() => toPlanarFloat({ ...rgba, data: new Uint8Array(3) })).toThrow(/length of 16/);
  });
});
