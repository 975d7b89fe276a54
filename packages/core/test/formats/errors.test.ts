import { describe, it, expect } from 'vitest';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';
import {
  FileFormatError,
  FileNotFoundError,
  readDisparity,
  readImage,
  readKittiDisparity,
  readMask,
  readNpy,
  readPfm,
  readScaledDisparity,
  writeImage,
} from '@stereo-sdk/core';
import { ascii, concat, useTmpDir } from './tmp.js';

const tmp = useTmpDir('errors');

async function failure(p: Promise<unknown>): Promise<Error> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(Error);
  return err as Error;
}

/** Asserts a typed error naming `path` and matching `problem`, with no library stack or cause attached. */
function expectNamed(err: Error, type: typeof FileFormatError | typeof FileNotFoundError, path: string, problem: RegExp): void {
  expect(err).toBeInstanceOf(type);
  expect(err.message.startsWith(`${path}: `)).toBe(true);
  expect(err.message).toMatch(problem);
  expect(err.message).not.toMatch(/\n\s+at /);
  expect(err.cause).toBeUndefined();
}

async function validPng(): Promise<Uint8Array> {
  const path = tmp('valid.png');
  const data = new Uint8Array(64 * 48 * 3).map((_, i) => (i * 37) % 251);
  await writeImage(path, { data, width: 64, height: 48, channels: 3, bitDepth: 8 });
  return new Uint8Array(readFileSync(path));
}

describe('readers report bad input as typed errors naming the file', () => {
  const readers: [string, (p: string) => Promise<unknown>][] = [
    ['readImage', (p) => readImage(p)],
    ['readPfm', readPfm],
    ['readNpy', readNpy],
    ['readKittiDisparity', readKittiDisparity],
    ['readScaledDisparity', (p) => readScaledDisparity(p, 3)],
    ['readDisparity', (p) => readDisparity(p)],
    ['readMask', readMask],
  ];

  it.each(readers)('%s: missing file → FileNotFoundError', async (_n, read) => {
    const path = tmp('does-not-exist.bin');
    expectNamed(await failure(read(path)), FileNotFoundError, path, /not found/);
  });

  it.each(readers)('%s: empty file → FileFormatError', async (_n, read) => {
    const path = tmp('empty.bin');
    writeFileSync(path, new Uint8Array(0));
    expectNamed(await failure(read(path)), FileFormatError, path, /empty .*0 bytes/);
  });

  it.each(readers)('%s: a folder → FileFormatError', async (_n, read) => {
    const path = tmp('a-folder');
    mkdirSync(path, { recursive: true });
    expectNamed(await failure(read(path)), FileFormatError, path, /is a directory/);
  });

  it('truncated PNG', async () => {
    const png = await validPng();
    const path = tmp('truncated.png');
    writeFileSync(path, png.subarray(0, Math.floor(png.length / 2)));
    expectNamed(await failure(readImage(path)), FileFormatError, path, /corrupt or truncated PNG/);
  });

  it('PNG cut inside its header', async () => {
    const png = await validPng();
    const path = tmp('cut-header.png');
    writeFileSync(path, png.subarray(0, 20));
    expectNamed(await failure(readImage(path)), FileFormatError, path, /corrupt or truncated PNG/);
  });

  it('PNG with corrupt compressed data', async () => {
    const png = await validPng();
    // Overwrite the middle of the IDAT payload; the chunk CRC no longer matches either.
    const idat = Buffer.from(png).indexOf('IDAT');
    const bad = png.slice();
    for (let i = idat + 8; i < idat + 60; i++) bad[i] ^= 0x5a;
    const path = tmp('corrupt.png');
    writeFileSync(path, bad);
    expectNamed(await failure(readImage(path)), FileFormatError, path, /corrupt or truncated PNG/);
  });

  it('PNG whose zlib stream is valid but too short for the image', async () => {
    // Hand-built: a 4x4 RGB header with an IDAT that inflates to a single row.
    const png = await validPng();
    const ihdrEnd = 8 + 8 + 13 + 4;
    const chunk = (type: string, body: Uint8Array): Uint8Array => {
      const len = new Uint8Array(4);
      new DataView(len.buffer).setUint32(0, body.length);
      return concat(len, ascii(type), body, new Uint8Array(4));
    };
    const ihdr = png.slice(0, ihdrEnd);
    new DataView(ihdr.buffer).setUint32(16, 4);
    new DataView(ihdr.buffer).setUint32(20, 4);
    const bytes = concat(ihdr, chunk('IDAT', deflateSync(new Uint8Array(13))), chunk('IEND', new Uint8Array(0)));
    const path = tmp('short-idat.png');
    writeFileSync(path, bytes);
    expectNamed(await failure(readImage(path)), FileFormatError, path, /corrupt or truncated PNG/);
  });

  it('a text file is not an image', async () => {
    const path = tmp('notes.png');
    writeFileSync(path, 'just some text, not pixels\n');
    expectNamed(await failure(readImage(path)), FileFormatError, path, /not a supported image \(expected PNG, JPEG, WebP, PPM \(P6\) or PGM \(P5\)\)/);
    expectNamed(await failure(readDisparity(path, { divisor: 1 })), FileFormatError, path, /not a supported image/);
  });

  it('a PFM passed to readImage points to the PFM reader', async () => {
    const path = tmp('float.pfm');
    writeFileSync(path, concat(ascii('Pf\n1 1\n-1\n'), new Uint8Array(4)));
    expectNamed(await failure(readImage(path)), FileFormatError, path, /PFM.*readPfm/);
  });

  it('a truncated JPEG', async () => {
    const path = tmp('cut.jpg');
    const data = new Uint8Array(32 * 32 * 3).map((_, i) => (i * 13) % 256);
    await writeImage(path, { data, width: 32, height: 32, channels: 3, bitDepth: 8 });
    const jpg = readFileSync(path);
    writeFileSync(path, jpg.subarray(0, Math.floor(jpg.length / 3)));
    expectNamed(await failure(readImage(path)), FileFormatError, path, /corrupt or truncated JPEG/);
  });
});
