import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
// @ts-expect-error -- plain JavaScript generator script, no type declarations
import { OUTPUT, buildModule, generate } from '../codegen/simd-planes.js';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

/** The part of the WebAssembly API used here (no DOM types in this project). */
declare const WebAssembly: {
  validate(bytes: Uint8Array): boolean;
  Module: { new (bytes: Uint8Array): object; exports(module: object): { name: string }[] };
};

describe('tools/codegen/simd-planes.js', () => {
  it('regenerates the checked-in kernels byte for byte', async () => {
    expect(readFileSync(`${repoRoot}/${OUTPUT}`, 'utf8')).toBe(await generate());
  });

  it('assembles simd-planes.wat into a valid module exporting memory and a forward and mirrored kernel per channel count', async () => {
    const bytes: Uint8Array = await buildModule();
    expect(WebAssembly.validate(bytes)).toBe(true);
    const names = WebAssembly.Module.exports(new WebAssembly.Module(bytes)).map((e) => e.name);
    expect(names).toEqual(['memory', 'planes1', 'planes1_flip', 'planes3', 'planes3_flip', 'planes4', 'planes4_flip']);
  });
});
