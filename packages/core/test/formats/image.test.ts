import { describe, it, expect } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { PNG } from 'pngjs';
import { FileFormatError, InvalidParameterError, readImage, writeImage, type RasterImage } from '@stereo-sdk/core';
import { ascii, concat, rng, useTmpDir } from './tmp.js';

const tmp = useTmpDir('image');

function randomImage(width: number, height: number, channels: 1 | 2 | 3 | 4, bitDepth: 8 | 16, seed: number): RasterImage {
  const r = rng(seed);
  const n = width * height * channels;
  const max = bitDepth === 8 ? 256 : 65536;
  const data = bitDepth === 8 ? new Uint8Array(n) : new Uint16Array(n);
  for (let i = 0; i < n; i++) data[i] = Math.floor(r() * max);
  return { data, width, height, channels, bitDepth };
}

/** A smooth image, so lossy JPEG stays close to it. */
function gradient(width: number, height: number, channels: 1 | 3): RasterImage {
  const data = new Uint8Array(width * height * channels);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++)
      for (let c = 0; c < channels; c++) data[(y * width + x) * channels + c] = Math.round((255 * (x + y + 7 * c)) / (width + height + 14));
  return { data, width, height, channels, bitDepth: 8 };
}

describe('readImage / writeImage round trips', () => {
  for (const bitDepth of [8, 16] as const) {
    for (const channels of [1, 2, 3, 4] as const) {
      it(`PNG ${bitDepth}-bit, ${channels} channel(s) is exact`, async () => {
        const img = randomImage(17, 9, channels, bitDepth, channels * 100 + bitDepth);
        const path = tmp(`rt-${bitDepth}-${channels}.png`);
        await writeImage(path, img);
        const back = await readImage(path);
        expect(back.bitDepth).toBe(bitDepth);
        expect(back.channels).toBe(channels);
        expect([back.width, back.height]).toEqual([17, 9]);
        expect(back.data).toBeInstanceOf(bitDepth === 8 ? Uint8Array : Uint16Array);
        expect(Array.from(back.data)).toEqual(Array.from(img.data));
      });
    }
    for (const [ext, channels] of [['.pgm', 1], ['.ppm', 3]] as const) {
      it(`${ext} ${bitDepth}-bit is exact`, async () => {
        const img = randomImage(13, 6, channels, bitDepth, 7 + bitDepth);
        const path = tmp(`rt-${bitDepth}${ext}`);
        await writeImage(path, img);
        const back = await readImage(path);
        expect(back).toEqual(img);
      });
    }
  }

  it('WebP (lossless) RGB and RGBA are exact', async () => {
    for (const channels of [3, 4] as const) {
      const img = randomImage(16, 8, channels, 8, 42 + channels);
      const path = tmp(`rt-${channels}.webp`);
      await writeImage(path, img);
      const back = await readImage(path);
      expect(back.channels).toBe(channels);
      expect(back.bitDepth).toBe(8);
      expect(Array.from(back.data)).toEqual(Array.from(img.data));
    }
  });

  it('JPEG gray and RGB come back close (lossy)', async () => {
    for (const channels of [1, 3] as const) {
      const img = gradient(32, 24, channels);
      const path = tmp(`rt-${channels}.jpg`);
      await writeImage(path, img);
      const back = await readImage(path);
      expect(back.channels).toBe(channels);
      expect(back.bitDepth).toBe(8);
      let err = 0;
      for (let i = 0; i < img.data.length; i++) err += Math.abs(back.data[i] - img.data[i]);
      expect(err / img.data.length).toBeLessThan(2);
    }
  });

  it('reads bytes the same as the file, and names the buffer in errors', async () => {
    const img = randomImage(5, 4, 3, 8, 3);
    const path = tmp('bytes.png');
    await writeImage(path, img);
    const fromBytes = await readImage(new Uint8Array(readFileSync(path)));
    expect(fromBytes).toEqual(await readImage(path));
    await expect(readImage(ascii('hello'), { name: 'mem.png' })).rejects.toThrow(/^mem\.png: not a supported image/);
    await expect(readImage(42 as unknown as string)).rejects.toThrow(InvalidParameterError);
    await expect(readImage(new Uint8Array(0))).rejects.toThrow(/^<buffer>: empty image data/);
  });
});

describe('16-bit PNG against an independent codec (pngjs)', () => {
  it('reads a pngjs-encoded 16-bit gray PNG exactly', async () => {
    const png = new PNG({ width: 7, height: 5, bitDepth: 16, colorType: 0, inputColorType: 0, inputHasAlpha: false });
    const values = new Uint16Array(35).map((_, i) => (i * 1877 + 3) % 65536);
    // pngjs reads 16-bit input as host-endian uint16 from the buffer.
    png.data = Buffer.from(values.buffer);
    const path = tmp('pngjs16.png');
    writeFileSync(path, PNG.sync.write(png, { bitDepth: 16, colorType: 0, inputColorType: 0, inputHasAlpha: false }));
    const img = await readImage(path);
    expect([img.bitDepth, img.channels]).toEqual([16, 1]);
    expect(Array.from(img.data)).toEqual(Array.from(values));
  });

  it('writes 16-bit gray that pngjs decodes to the same values', async () => {
    const img = randomImage(9, 4, 1, 16, 99);
    const path = tmp('ours16.png');
    await writeImage(path, img);
    const decoded = PNG.sync.read(readFileSync(path), { skipRescale: true });
    expect(decoded.depth).toBe(16);
    const gray = Array.from({ length: 36 }, (_, i) => (decoded.data as unknown as Uint16Array)[i * 4]);
    expect(gray).toEqual(Array.from(img.data));
  });
});

describe('netpbm details', () => {
  it('parses comments and 16-bit big-endian samples (maxval > 255) in a hand-built PGM', async () => {
    const head = ascii('P5\n# a comment\n3 # width\n1\n65535\n');
    const bytes = concat(head, new Uint8Array([0x12, 0x34, 0x00, 0x01, 0xff, 0xfe]));
    const img = await readImage(bytes);
    expect(img).toEqual({ data: new Uint16Array([0x1234, 1, 0xfffe]), width: 3, height: 1, channels: 1, bitDepth: 16 });
  });

  it('keeps raw samples when maxval is not 255/65535', async () => {
    const bytes = concat(ascii('P6 1 1 1023\n'), new Uint8Array([0x03, 0xff, 0x00, 0x10, 0x02, 0x00]));
    const img = await readImage(bytes);
    expect(Array.from(img.data)).toEqual([1023, 16, 512]);
    expect(img.bitDepth).toBe(16);
  });

  it('rejects ASCII netpbm, truncated rasters and bad headers with named errors', async () => {
    await expect(readImage(ascii('P2\n1 1\n255\n7\n'), { name: 'a.pgm' })).rejects.toThrow(/^a\.pgm: unsupported netpbm type 'P2'/);
    await expect(readImage(concat(ascii('P5\n4 4\n255\n'), new Uint8Array(10)), { name: 't.pgm' })).rejects.toThrow(
      /^t\.pgm: truncated netpbm pixel data: 4x4x1 needs 16 bytes, found 10/,
    );
    await expect(readImage(ascii('P5\n0 4\n255\n'), { name: 'z.pgm' })).rejects.toThrow(/bad netpbm width '0'/);
    await expect(readImage(ascii('P6\n2 2\n70000\n'), { name: 'm.ppm' })).rejects.toThrow(/bad netpbm maxval '70000'/);
    await expect(readImage(ascii('P6\n2 2'), { name: 'h.ppm' })).rejects.toThrow(/h\.ppm: truncated netpbm header: missing maxval/);
  });
});

describe('writeImage refuses what a format cannot hold', () => {
  const rgb16 = randomImage(2, 2, 3, 16, 1);
  const rgba8 = randomImage(2, 2, 4, 8, 1);
  it.each([
    ['16-bit JPEG', 'a.jpg', rgb16, /8-bit samples only/],
    ['16-bit WebP', 'a.webp', rgb16, /8-bit samples only/],
    ['alpha in JPEG', 'a.jpeg', rgba8, /alpha/],
    ['RGBA in PPM', 'a.ppm', rgba8, /PPM needs 3 channel/],
    ['RGB in PGM', 'a.pgm', rgb16, /PGM needs 1 channel/],
    ['unknown extension', 'a.tga', rgba8, /unknown image extension '\.tga'/],
    ['float PNG', 'a.png', { data: new Float32Array(4), width: 2, height: 2, channels: 1, bitDepth: 32 } as RasterImage, /float/],
  ])('%s', async (_label, name, img, pattern) => {
    const path = tmp(name);
    const err = await writeImage(path, img).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FileFormatError);
    expect((err as Error).message).toMatch(pattern);
    expect((err as Error).message.startsWith(path)).toBe(true);
  });

  it('rejects malformed images with InvalidParameterError', async () => {
    const bad = { data: new Uint8Array(3), width: 2, height: 2, channels: 1, bitDepth: 8 } as RasterImage;
    await expect(writeImage(tmp('bad.png'), bad)).rejects.toThrow(InvalidParameterError);
    const wrongType = { data: new Uint8Array(4), width: 2, height: 2, channels: 1, bitDepth: 16 } as RasterImage;
    await expect(writeImage(tmp('bad.png'), wrongType)).rejects.toThrow(/Uint16Array/);
  });
});
