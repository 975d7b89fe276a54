/** The backend interface over onnxruntime-node. */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BackendError, createGraphSession, createSession } from '../../src/backend/index.js';
import { FileNotFoundError, InvalidParameterError } from '../../src/errors.js';
import { encodeOnnx, GraphBuilder } from '../../src/graph/index.js';

function tinyModel(): Uint8Array {
  const b = new GraphBuilder();
  const x = b.input('x', 'float32', [1, 3]);
  const i = b.input('i', 'int64', [2]);
  b.output(b.add(b.relu(x), 1), 'y');
  b.output(b.mul(i, 3), 'j');
  return encodeOnnx(b.build());
}

const feeds = {
  x: { type: 'float32', dims: [1, 3], data: new Float32Array([-1, 0.5, 2]) },
  i: { type: 'int64', dims: [2], data: new BigInt64Array([2n, -5n]) },
} as const;

describe('createSession', () => {
  it('runs a model from bytes or from a path and reports its names and provider', async () => {
    const bytes = tinyModel();
    const dir = mkdtempSync(join(tmpdir(), 'ort-'));
    const path = join(dir, 'tiny.onnx');
    writeFileSync(path, bytes);
    for (const model of [bytes, path]) {
      const s = await createSession(model, { threads: 1 });
      expect(s.inputNames).toEqual(['x', 'i']);
      expect(s.outputNames).toEqual(['y', 'j']);
      expect(s.provider).toBe('cpu');
      const out = await s.run(feeds);
      expect(out['y']).toEqual({ type: 'float32', dims: [1, 3], data: new Float32Array([1, 1.5, 3]) });
      expect(out['j']!.data).toEqual(new BigInt64Array([6n, -15n]));
      const only = await s.run(feeds, ['j']);
      expect(Object.keys(only)).toEqual(['j']);
      await s.release();
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('tries providers in order and lists why each failed', async () => {
    const s = await createSession(tinyModel(), { providers: ['no-such-ep', 'cpu'] });
    expect(s.provider).toBe('cpu');
    await s.release();
    const err = await createSession(tinyModel(), { providers: ['no-such-ep', 'other-missing-ep'] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BackendError);
    expect((err as Error).message).toMatch(/no execution provider could load the model:\n  no-such-ep: .+\n  other-missing-ep: .+/);
  });

  it('turns bad arguments and bad models into typed errors', async () => {
    await expect(createSession('/nonexistent/model.onnx')).rejects.toThrow(FileNotFoundError);
    await expect(createSession(tinyModel(), { threads: -1 })).rejects.toThrow(InvalidParameterError);
    await expect(createSession(tinyModel(), { providers: [] })).rejects.toThrow(InvalidParameterError);
    await expect(createSession(new Uint8Array([1, 2, 3]))).rejects.toThrow(BackendError);
    const s = await createSession(tinyModel());
    await expect(s.run({ x: feeds.x })).rejects.toThrow(/missing input 'i'/);
    await expect(s.run({ ...feeds, x: { type: 'float32', dims: [1, 3], data: new Int32Array(3) } })).rejects.toThrow(/cannot hold a Int32Array/);
    await expect(s.run({ ...feeds, x: { type: 'float32', dims: [2, 3], data: new Float32Array(6) } })).rejects.toThrow(BackendError);
    await s.release();
  });

  it('runs a Graph directly', async () => {
    const b = new GraphBuilder();
    b.output(b.softmax(b.input('x', 'float32', [1, 4])), 'p');
    const s = await createGraphSession(b.build());
    const out = await s.run({ x: { type: 'float32', dims: [1, 4], data: new Float32Array([0, 0, 0, 0]) } });
    expect(out['p']!.data).toEqual(new Float32Array([0.25, 0.25, 0.25, 0.25]));
    await s.release();
  });
});

describe('backend boundary', () => {
  it('exactly one source module imports onnxruntime-node', () => {
    const src = fileURLToPath(new URL('../../src', import.meta.url));
    const files: string[] = [];
    const walk = (dir: string): void => {
      for (const f of readdirSync(dir)) {
        const p = join(dir, f);
        if (statSync(p).isDirectory()) walk(p);
        else if (p.endsWith('.ts')) files.push(p);
      }
    };
    walk(src);
    const importers = files.filter((f) => /(from|import)\s*\(?\s*['"]onnxruntime-node['"]/.test(readFileSync(f, 'utf8')));
    expect(importers.map((f) => relative(src, f))).toEqual(['backend/ort.ts']);
  });
});
