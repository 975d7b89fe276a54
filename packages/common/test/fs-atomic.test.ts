import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { mkdtempSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeFileAtomic } from '@stereo-sdk/common';

describe('writeFileAtomic', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'stereo-sdk-common-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('creates parent folders and writes bytes and text, leaving no temp file', async () => {
    const bytes = join(dir, 'a', 'b', 'out.bin');
    await writeFileAtomic(bytes, new Uint8Array([1, 2, 255]));
    expect([...readFileSync(bytes)]).toEqual([1, 2, 255]);
    await writeFileAtomic(join(dir, 'a', 'note.txt'), 'héllo');
    expect(readFileSync(join(dir, 'a', 'note.txt'), 'utf8')).toBe('héllo');
    expect(readdirSync(join(dir, 'a')).sort()).toEqual(['b', 'note.txt']);
    expect(readdirSync(join(dir, 'a', 'b'))).toEqual(['out.bin']);
  });

  it('replaces an existing file', async () => {
    const path = join(dir, 'out.txt');
    writeFileSync(path, 'old contents that are longer');
    await writeFileAtomic(path, 'new');
    expect(readFileSync(path, 'utf8')).toBe('new');
  });

  it('rethrows the fs error and removes its temp file when the rename fails', async () => {
    // A non-empty folder at the target path makes rename fail after the temp file is written.
    const target = join(dir, 'taken');
    mkdirSync(target);
    writeFileSync(join(target, 'keep'), 'x');
    await expect(writeFileAtomic(target, 'data')).rejects.toMatchObject({ code: expect.stringMatching(/^E/) });
    expect(readdirSync(dir)).toEqual(['taken']);
  });
});
