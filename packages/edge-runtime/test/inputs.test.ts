import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, it, expect } from 'vitest';
import {
  createStereoMatcher, FileFormatError, FileNotFoundError, InvalidParameterError, loadImage, ShapeMismatchError,
  writeContract, type RawImage, type StereoMatcher,
} from '../src/index.js';
import { buildBlockMatchingModel } from './fixtures/stereo-model.js';
import { shiftedPair } from './fixtures/pairs.js';

const encode = (img: RawImage, format: 'png' | 'webp' | 'jpeg') => {
  const s = sharp(Buffer.from(img.data.buffer, img.data.byteOffset, img.data.byteLength), { raw: { width: img.width, height: img.height, channels: img.channels } });
  return (format === 'png' ? s.png() : format === 'webp' ? s.webp({ lossless: true }) : s.jpeg({ quality: 95 })).toBuffer();
};

const toGray = (img: RawImage): RawImage => {
  const data = new Uint8Array(img.width * img.height);
  for (let i = 0; i < data.length; i++) data[i] = img.data[i * 3 + 1];
  return { data, width: img.width, height: img.height, channels: 1 };
};

const ppm = (img: RawImage): Buffer => Buffer.concat([Buffer.from(`P6\n# test\n${img.width} ${img.height}\n255\n`), Buffer.from(img.data as Uint8Array)]);

describe('inputs', () => {
  let dir: string;
  let matcher: StereoMatcher;
  const { left, right } = shiftedPair({ width: 40, height: 20, shift: 3, seed: 21 });
  let reference: Float32Array;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'edge-inputs-'));
    const { key, value } = writeContract({ inputs: { layout: 'pair', left: 'left', right: 'right' }, channels: 3, stride: 8, outputs: { disparity: 'disparity' } });
    matcher = await createStereoMatcher(buildBlockMatchingModel({ metadata: { [key]: value } }));
    reference = (await matcher.disparity(left, right)).disparity;
  });
  afterAll(async () => {
    await matcher.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('file paths and encoded PNG / lossless WebP buffers give the raw-pixel result exactly', async () => {
    const [lp, rp] = await Promise.all([encode(left, 'png'), encode(right, 'png')]);
    writeFileSync(join(dir, 'l.png'), lp);
    writeFileSync(join(dir, 'r.png'), rp);
    expect((await matcher.disparity(join(dir, 'l.png'), join(dir, 'r.png'))).disparity).toEqual(reference);
    expect((await matcher.disparity(lp, rp)).disparity).toEqual(reference);
    const [lw, rw] = await Promise.all([encode(left, 'webp'), encode(right, 'webp')]);
    expect((await matcher.disparity(lw, rw)).disparity).toEqual(reference);
  });

  it('decodes JPEG (lossy: close, not equal) and binary PPM', async () => {
    const [lj, rj] = await Promise.all([encode(left, 'jpeg'), encode(right, 'jpeg')]);
    const r = await matcher.disparity(lj, rj);
    const inner = Array.from(r.disparity).filter((_, i) => i % 40 >= 10 && i % 40 < 37 && i > 80 && i < 18 * 40);
    expect(inner.filter((d) => Math.abs(d - 3) < 0.25).length / inner.length).toBeGreaterThan(0.9);
    writeFileSync(join(dir, 'l.ppm'), ppm(left));
    writeFileSync(join(dir, 'r.ppm'), ppm(right));
    expect((await matcher.disparity(join(dir, 'l.ppm'), join(dir, 'r.ppm'))).disparity).toEqual(reference);
  });

  it('16-bit raw data and 16-bit PNG files give the 8-bit result', async () => {
    const wide = (img: RawImage): RawImage => ({ ...img, data: Uint16Array.from(img.data, (v) => v * 257) });
    const r = await matcher.disparity(wide(left), wide(right));
    for (let i = 0; i < r.disparity.length; i++) expect(r.disparity[i]).toBeCloseTo(reference[i], 4);
    const png16 = (img: RawImage) => sharp(wide(img).data, { raw: { width: img.width, height: img.height, channels: 3 } }).toColourspace('rgb16').png().toBuffer();
    const [l16, r16] = await Promise.all([png16(left), png16(right)]);
    const decoded = await loadImage(l16);
    expect(decoded.data).toBeInstanceOf(Uint16Array);
    expect(decoded.data[5]).toBe(left.data[5] * 257);
    const f = await matcher.disparity(l16, r16);
    for (let i = 0; i < f.disparity.length; i++) expect(f.disparity[i]).toBeCloseTo(reference[i], 4);
  });

  it('gray input is replicated into a color model; RGBA drops alpha', async () => {
    const gray = await matcher.disparity(toGray(left), toGray(right));
    const inner = Array.from(gray.disparity).filter((_, i) => i % 40 >= 10 && i % 40 < 37 && i > 80 && i < 18 * 40);
    expect(inner.filter((d) => Math.abs(d - 3) < 0.1).length / inner.length).toBeGreaterThan(0.95);
    const rgba = (img: RawImage): RawImage => {
      const data = new Uint8Array(img.width * img.height * 4);
      for (let i = 0; i < img.width * img.height; i++) {
        data.set(img.data.subarray(i * 3, i * 3 + 3), i * 4);
        data[i * 4 + 3] = (i * 37) % 256;
      }
      return { data, width: img.width, height: img.height, channels: 4 };
    };
    expect((await matcher.disparity(rgba(left), rgba(right))).disparity).toEqual(reference);
  });

  describe('bad input ends in a typed error naming the problem', () => {
    it('left and right of different sizes', async () => {
      const other = shiftedPair({ width: 41, height: 20, shift: 3 }).right;
      await expect(matcher.disparity(left, other)).rejects.toThrow(ShapeMismatchError);
      await expect(matcher.disparity(left, other)).rejects.toThrow(/left image is 40x20 but right image is 41x20/);
    });

    it('left and right with different channel counts', async () => {
      await expect(matcher.disparity(left, toGray(right))).rejects.toMatchObject({ code: 'ERR_SHAPE_MISMATCH', message: expect.stringMatching(/3 channel\(s\) but right image has 1/) });
    });

    it('an empty, truncated or non-image file, and a missing one', async () => {
      const empty = join(dir, 'empty.png');
      const text = join(dir, 'notes.png');
      const truncated = join(dir, 'truncated.png');
      writeFileSync(empty, '');
      writeFileSync(text, 'this is a text file, not a picture\n');
      const full = await encode(left, 'png');
      writeFileSync(truncated, full.subarray(0, Math.floor(full.length / 2)));
      const rp = await encode(right, 'png');
      for (const [file, message] of [
        [empty, /empty\.png: empty file, not an image/],
        [text, /notes\.png: not an image in a supported format/],
        [truncated, /truncated\.png: corrupt or truncated image/],
      ] as const) {
        const err = await matcher.disparity(file, rp).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(FileFormatError);
        expect((err as FileFormatError).file).toBe(file);
        expect((err as Error).message).toMatch(message);
      }
      const missing = join(dir, 'nope.png');
      await expect(matcher.disparity(left, missing)).rejects.toThrow(FileNotFoundError);
      await expect(matcher.disparity(left, missing)).rejects.toThrow(/nope\.png: right image not found/);
      await expect(matcher.disparity(new Uint8Array(0), rp)).rejects.toThrow(/<left buffer>: empty file/);
      await expect(matcher.disparity(ppm(left).subarray(0, 100), rp)).rejects.toThrow(/<left buffer>: truncated PGM\/PPM/);
    });

    it('malformed raw images, input types and options', async () => {
      await expect(matcher.disparity({ ...left, data: left.data.subarray(1) }, right)).rejects.toThrow(/Expected 2400 samples \(40×20×3\) for left\.data/);
      await expect(matcher.disparity({ ...left, channels: 5 as never }, right)).rejects.toThrow(InvalidParameterError);
      await expect(matcher.disparity({ ...left, data: new Float32Array(2400) as never }, right)).rejects.toThrow(/left\.data/);
      await expect(matcher.disparity(42 as never, right)).rejects.toThrow(/Expected a file path, an encoded image/);
      await expect(matcher.disparity(left, right, { downscale: 0.5 })).rejects.toThrow(/Expected a number in \[1, 64\] for downscale but received number 0.5/);
      await expect(matcher.disparity(left, right, { maxDisparity: -1 })).rejects.toThrow(/maxDisparity/);
      await expect(matcher.disparity(left, right, { lrCheck: 'yes' as never })).rejects.toThrow(/lrCheck/);
      await expect(matcher.disparity(left, right, { lrCheck: { threshold: -2 } })).rejects.toThrow(/lrCheck\.threshold/);
    });
  });
});
