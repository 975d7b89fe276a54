import { describe, it, expect } from 'vitest';
import { FileFormatError, decodeNpy, encodeNpy, readNpy, writeNpy } from '@stereo-sdk/core';
import { ascii, concat, useTmpDir } from './tmp.js';

const tmp = useTmpDir('npy');

/** Hand-built .npy with the given header dict and version; the header is padded as numpy does. */
function npy(dict: string, payload: Uint8Array, major = 1): Uint8Array {
  const pre = major === 1 ? 10 : 12;
  let header = dict;
  const total = Math.ceil((pre + header.length + 1) / 64) * 64;
  header = header.padEnd(total - pre - 1, ' ') + '\n';
  const head = new Uint8Array(pre);
  head.set([0x93, ...ascii('NUMPY'), major, 0]);
  const view = new DataView(head.buffer);
  if (major === 1) view.setUint16(8, header.length, true);
  else view.setUint32(8, header.length, true);
  return concat(head, ascii(header), payload);
}

function floats(values: number[], bytes: 4 | 8, littleEndian = true): Uint8Array {
  const out = new Uint8Array(values.length * bytes);
  const view = new DataView(out.buffer);
  values.forEach((v, i) => (bytes === 4 ? view.setFloat32(i * bytes, v, littleEndian) : view.setFloat64(i * bytes, v, littleEndian)));
  return out;
}

describe('decodeNpy', () => {
  it("reads '<f4' in C order", () => {
    const bytes = npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", floats([1, 2, 3, 4.5, -5, Infinity], 4));
    const arr = decodeNpy(bytes);
    expect(arr.shape).toEqual([2, 3]);
    expect(Array.from(arr.data)).toEqual([1, 2, 3, 4.5, -5, Infinity]);
  });

  it("converts '<f8' to float32, and reads format version 2", () => {
    const bytes = npy("{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }", floats([0.1, 1e300, -2], 8), 2);
    const arr = decodeNpy(bytes);
    expect(arr.shape).toEqual([3]);
    expect(Array.from(arr.data)).toEqual([Math.fround(0.1), Infinity, -2]);
  });

  it('reads a scalar (shape ())', () => {
    const arr = decodeNpy(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (), }", floats([7], 4)));
    expect(arr).toEqual({ data: new Float32Array([7]), shape: [] });
  });

  it.each([
    ['Fortran order', "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }", floats([1, 2, 3, 4], 4), /Fortran-order/],
    ['big-endian float32', "{'descr': '>f4', 'fortran_order': False, 'shape': (1,), }", floats([1], 4, false), /dtype '>f4'/],
    ['int32', "{'descr': '<i4', 'fortran_order': False, 'shape': (1,), }", new Uint8Array(4), /dtype '<i4'/],
    ['short data', "{'descr': '<f4', 'fortran_order': False, 'shape': (4, 4), }", floats([1, 2], 4), /needs 64 bytes, found 8/],
    ['a header without shape', "{'descr': '<f4', 'fortran_order': False, }", floats([1], 4), /needs descr, fortran_order and shape/],
  ])('rejects %s', (_label, dict, payload, problem) => {
    expect(() => decodeNpy(npy(dict, payload), 'a.npy')).toThrow(FileFormatError);
    expect(() => decodeNpy(npy(dict, payload), 'a.npy')).toThrow(problem);
  });

  it('rejects a file without the magic, naming it', () => {
    expect(() => decodeNpy(ascii('PK\x03\x04 zip'), 'b.npz')).toThrow(/^b\.npz: not a \.npy file/);
  });
});

describe('encodeNpy / writeNpy', () => {
  it('round-trips through disk, with a 64-byte aligned header', async () => {
    const data = new Float32Array([1, -2, NaN, Infinity, 0.25, 3e-8]);
    const bytes = encodeNpy({ data, shape: [1, 2, 3] });
    const headerLen = new DataView(bytes.buffer).getUint16(8, true);
    expect((10 + headerLen) % 64).toBe(0);
    const path = tmp('rt.npy');
    await writeNpy(path, { data, shape: [1, 2, 3] });
    const back = await readNpy(path);
    expect(back.shape).toEqual([1, 2, 3]);
    expect(Array.from(back.data)).toEqual(Array.from(data));
    expect(decodeNpy(encodeNpy({ data: new Float32Array([5, 6]), shape: [2] })).shape).toEqual([2]);
  });

  it('rejects a shape that does not match the data', () => {
    expect(() => encodeNpy({ data: new Float32Array(5), shape: [2, 3] })).toThrow(/length of 6/);
    expect(() => encodeNpy({ data: new Float32Array(0), shape: [-1] })).toThrow(/non-negative integers/);
  });
});
