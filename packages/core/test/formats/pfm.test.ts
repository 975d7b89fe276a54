import { describe, it, expect } from 'vitest';
import { writeFileSync } from 'node:fs';
import { FileFormatError, decodePfm, encodePfm, readPfm, writePfm } from '@stereo-sdk/core';
import { ascii, concat, useTmpDir } from './tmp.js';

const tmp = useTmpDir('pfm');

/** Hand-built raster: `fileRows` listed in file order (bottom row first). */
function raster(fileRows: number[][], littleEndian: boolean): Uint8Array {
  const flat = fileRows.flat();
  const out = new Uint8Array(flat.length * 4);
  const view = new DataView(out.buffer);
  flat.forEach((v, i) => view.setFloat32(i * 4, v, littleEndian));
  return out;
}

describe('decodePfm', () => {
  it('reads a hand-built big-endian 3-channel file, flipping rows to top-to-bottom', () => {
    // 2x2 RGB; the file's first row is the image's bottom row.
    const bottom = [1, 2, 3, 4, 5, 6];
    const top = [7, 8, 9, 10, 11, 12];
    const bytes = concat(ascii('PF\n2 2\n1.0\n'), raster([bottom, top], false));
    const img = decodePfm(bytes);
    expect([img.width, img.height, img.channels]).toEqual([2, 2, 3]);
    expect(Array.from(img.data)).toEqual([...top, ...bottom]);
  });

  it('reads a little-endian 1-channel file without applying |scale|, keeping inf', () => {
    // Middlebury writes scale -1/255: values must still come back as stored.
    const rows = [[0.5, Infinity, 3], [100.25, -2, 0]];
    const bytes = concat(ascii('Pf \n3 2 \n-0.003922\n'), raster(rows, true));
    const img = decodePfm(bytes);
    expect(img.channels).toBe(1);
    expect(Array.from(img.data)).toEqual([100.25, -2, 0, 0.5, Infinity, 3]);
  });

  it('gives the same result for both byte orders of the same image', () => {
    const rows = [[1.5, -3.25e7], [Math.fround(Math.PI), 1e-20]];
    const le = decodePfm(concat(ascii('Pf\n2 2\n-1\n'), raster(rows, true)));
    const be = decodePfm(concat(ascii('Pf\n2 2\n1\n'), raster(rows, false)));
    expect(be).toEqual(le);
  });

  it.each([
    ['wrong magic', 'P6\n2 2\n-1\n', /magic 'P6'/],
    ['lower-case magic', 'pf\n2 2\n-1\n', /magic 'pf'/],
    ['zero width', 'Pf\n0 2\n-1\n', /width '0'/],
    ['negative height', 'Pf\n2 -2\n-1\n', /height '-2'/],
    ['non-numeric width', 'Pf\nabc 2\n-1\n', /width 'abc'/],
    ['zero scale', 'Pf\n2 2\n0\n', /scale '0'/],
    ['non-numeric scale', 'Pf\n2 2\nfoo\n', /scale 'foo'/],
    ['missing scale', 'Pf\n2 2', /missing scale/],
    ['short data', 'Pf\n2 2\n-1\n\0\0\0\0\0\0\0\0', /truncated PFM data: 2x2x1 floats need 16 bytes, found 8/],
  ])('rejects %s with a message naming the file', (_label, text, problem) => {
    const err = (() => {
      try {
        decodePfm(ascii(text), 'x.pfm');
      } catch (e) {
        return e as Error;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(FileFormatError);
    expect(err!.message).toMatch(/^x\.pfm: /);
    expect(err!.message).toMatch(problem);
  });
});

describe('encodePfm / writePfm', () => {
  const data = new Float32Array([0, 1.5, Infinity, -4, 1e6, NaN]);
  const img = { data, width: 3, height: 2 };

  for (const littleEndian of [true, false]) {
    it(`round-trips ${littleEndian ? 'little' : 'big'}-endian files through disk`, async () => {
      const path = tmp(`rt-${littleEndian}.pfm`);
      await writePfm(path, img, { littleEndian });
      const back = await readPfm(path);
      expect(back.channels).toBe(1);
      expect(Array.from(back.data)).toEqual(Array.from(data));
    });
  }

  it('writes the header and bottom-to-top rows byte for byte', () => {
    const bytes = encodePfm({ data: new Float32Array([1, 2, 3, 4, 5, 6]), width: 1, height: 2, channels: 3 }, { littleEndian: false });
    const expected = concat(ascii('PF\n1 2\n1.0\n'), raster([[4, 5, 6], [1, 2, 3]], false));
    expect(Array.from(bytes)).toEqual(Array.from(expected));
  });

  it('defaults to little-endian (negative scale)', () => {
    expect(new TextDecoder().decode(encodePfm(img).subarray(0, 10))).toBe('Pf\n3 2\n-1.');
  });

  it('reads a file written by hand from disk', async () => {
    const path = tmp('hand.pfm');
    writeFileSync(path, concat(ascii('Pf\n1 3\n-1.0\n'), raster([[3], [2], [1]], true)));
    expect(Array.from((await readPfm(path)).data)).toEqual([1, 2, 3]);
  });

  it('rejects malformed input', () => {
    expect(() => encodePfm({ data: new Float32Array(5), width: 3, height: 2 })).toThrow(/length of 6/);
    expect(() => encodePfm({ data: new Float32Array(6), width: 3, height: 2, channels: 2 as 1 })).toThrow(/1 or 3/);
    expect(() => encodePfm(img, { littleEndian: 'yes' as unknown as boolean })).toThrow(/boolean/);
  });
});
