import { describe, expect, it } from 'vitest';
import { InvalidParameterError } from '@stereo-sdk/core';
import { generateSyntheticPair, sampleSeed, SYNTHETIC_DEFAULTS, TEXTURE_KINDS } from '@stereo-sdk/stereo';
import { renderSyntheticPair } from '../../src/synthetic/generate.js';
import { Rng } from '../../src/synthetic/rng.js';

const SMALL = { width: 128, height: 64, maxDisparity: 24 };

const same = (a: ArrayLike<number>, b: ArrayLike<number>): boolean => a.length === b.length && Array.prototype.every.call(a, (v: number, i: number) => v === b[i]);

describe('generateSyntheticPair', () => {
  it('returns 8-bit RGB views, dense disparity in (0, maxDisparity) and a 0/1 occlusion mask', () => {
    const { left, right, disparity, occlusion } = generateSyntheticPair(SMALL, 3);
    for (const img of [left, right]) {
      expect(img).toMatchObject({ width: 128, height: 64, channels: 3, bitDepth: 8 });
      expect(img.data).toBeInstanceOf(Uint8Array);
      expect(img.data.length).toBe(128 * 64 * 3);
    }
    expect(disparity.data).toBeInstanceOf(Float32Array);
    expect(disparity.data.length).toBe(128 * 64);
    expect(disparity.data.every((d) => Number.isFinite(d) && d > 0 && d < 24)).toBe(true);
    expect(occlusion.data.length).toBe(128 * 64);
    expect(occlusion.data.every((v) => v === 0 || v === 1)).toBe(true);
  });

  it('uses the documented defaults (256 rows × 512 columns, max disparity 96)', () => {
    const { left, disparity } = generateSyntheticPair({}, 0);
    expect([left.height, left.width]).toEqual([256, 512]);
    expect(disparity.data.reduce((m, d) => Math.max(m, d), 0)).toBeLessThan(SYNTHETIC_DEFAULTS.maxDisparity);
  });

  it('is a pure function of (options, seed)', () => {
    const a = generateSyntheticPair(SMALL, 42);
    const b = generateSyntheticPair(SMALL, 42);
    const c = generateSyntheticPair(SMALL, 43);
    expect(same(a.left.data, b.left.data) && same(a.right.data, b.right.data)).toBe(true);
    expect(same(a.disparity.data, b.disparity.data) && same(a.occlusion.data, b.occlusion.data)).toBe(true);
    expect(same(a.left.data, c.left.data)).toBe(false);
    expect(same(a.disparity.data, c.disparity.data)).toBe(false);
  });

  it('applies different photometry to the two views, and none when disabled', () => {
    const seed = 9;
    const { render, pair } = renderSyntheticPair(SMALL, seed);
    const clean = renderSyntheticPair({ ...SMALL, photometric: false }, seed).pair;
    // Same scene either way: photometry is drawn after the geometry.
    expect(same(clean.disparity.data, pair.disparity.data)).toBe(true);
    const quantized = Uint8Array.from(render.leftColor, (v) => Math.round(v * 255));
    expect(same(clean.left.data, quantized)).toBe(true);
    expect(same(pair.left.data, clean.left.data)).toBe(false);
    expect(same(pair.right.data, clean.right.data)).toBe(false);
  });

  it('draws every texture family and mixes several per scene', () => {
    const seen = new Set<string>();
    let maxKinds = 0;
    for (let seed = 0; seed < 12; seed++) {
      const { scene } = renderSyntheticPair(SMALL, seed);
      const kinds = new Set(scene.layers.map((l) => l.kind));
      kinds.forEach((k) => seen.add(k));
      maxKinds = Math.max(maxKinds, kinds.size);
      // Objects are several, at several depths, not all fronto-parallel.
      expect(scene.layers.length).toBeGreaterThanOrEqual(2);
    }
    expect([...seen].sort()).toEqual([...TEXTURE_KINDS].sort());
    expect(maxKinds).toBeGreaterThanOrEqual(3);
  });

  it('renders each texture family with visible texture', () => {
    for (const kind of TEXTURE_KINDS) {
      const { left } = generateSyntheticPair({ ...SMALL, textures: [kind], photometric: false }, 5);
      const levels = new Set(left.data);
      expect(levels.size, kind).toBeGreaterThan(8);
    }
  });

  it('slants surfaces: disparity varies across the background', () => {
    let slanted = 0;
    for (let seed = 0; seed < 8; seed++) {
      const { scene } = renderSyntheticPair(SMALL, seed);
      if (scene.layers.some((l) => l.b !== 0 || l.c !== 0)) slanted++;
    }
    expect(slanted).toBeGreaterThan(4);
  });

  it('keeps every texture in [0, 1] (the photometric tables rely on it)', () => {
    for (let seed = 0; seed < 10; seed++) {
      const { scene } = renderSyntheticPair(SMALL, seed);
      for (const l of scene.layers) {
        const t = l.texture.data;
        expect(t.every((v) => v >= 0 && v <= 1), `${l.kind} of seed ${seed}`).toBe(true);
      }
    }
  });

  it('handles extreme but valid options', () => {
    const cases = [
      { width: 16, height: 16, maxDisparity: 8 },
      { width: 40, height: 200, maxDisparity: 32, minObjects: 0, maxObjects: 0 },
      { width: 64, height: 24, maxDisparity: 2, minObjects: 20, maxObjects: 20 },
      { width: 300, height: 20, maxDisparity: 292, minObjects: 64, maxObjects: 64 },
    ];
    for (const [i, o] of cases.entries()) {
      const { left, right, disparity, occlusion } = generateSyntheticPair(o, i);
      expect(left.data.length).toBe(o.width * o.height * 3);
      expect(right.data.length).toBe(o.width * o.height * 3);
      expect(disparity.data.every((d) => d > 0 && d < o.maxDisparity), JSON.stringify(o)).toBe(true);
      expect(occlusion.data.every((v) => v === 0 || v === 1)).toBe(true);
    }
  });

  it('rejects bad options and seeds with InvalidParameterError naming the field', () => {
    const bad: Array<[object, number, RegExp]> = [
      [{ width: 8 }, 0, /width/],
      [{ height: 10.5 }, 0, /height/],
      [{ maxDisparity: 1 }, 0, /maxDisparity/],
      [{ width: 64, maxDisparity: 60 }, 0, /width - 8 = 56 for maxDisparity/],
      [{ minObjects: 5, maxObjects: 2 }, 0, /maxObjects/],
      [{ textures: [] }, 0, /textures/],
      [{ textures: ['marble'] }, 0, /textures\[0\]/],
      [{ photometric: 'yes' }, 0, /photometric/],
      [{}, -1, /seed/],
      [{}, 2 ** 32, /seed/],
    ];
    for (const [options, seed, msg] of bad) {
      expect(() => generateSyntheticPair(options, seed)).toThrow(InvalidParameterError);
      expect(() => generateSyntheticPair(options, seed)).toThrow(msg);
    }
  });
});

describe('seeded randomness', () => {
  it('Rng streams are reproducible and roughly uniform', () => {
    const a = new Rng(7);
    const b = new Rng(7);
    const xs = Array.from({ length: 20_000 }, () => a.float());
    expect(xs.every((x) => x === b.float())).toBe(true);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.01);
    const ints = new Set(Array.from({ length: 1000 }, () => a.int(2, 5)));
    expect([...ints].sort()).toEqual([2, 3, 4, 5]);
  });

  it('sampleSeed gives distinct seeds per index and per dataset seed', () => {
    const seeds = new Set<number>();
    for (let i = 0; i < 1000; i++) seeds.add(sampleSeed(1, i));
    expect(seeds.size).toBe(1000);
    expect(sampleSeed(1, 0)).not.toBe(sampleSeed(2, 0));
    expect(sampleSeed(1, 5)).toBe(sampleSeed(1, 5));
    expect(Number.isInteger(sampleSeed(0xffffffff, 999_999))).toBe(true);
  });
});
