import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it, expect } from 'vitest';
import {
  createStereoMatcher, DEFAULT_MODEL_PATH, DisposedError, FileFormatError, FileNotFoundError, InvalidParameterError,
  ModelContractError, ProviderUnavailableError, writeContract,
} from '../src/index.js';
import { buildBlockMatchingModel, buildSingleInputModel, encodeModel } from './fixtures/stereo-model.js';
import { shiftedPair } from './fixtures/pairs.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'edge-models-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the bundled default model', () => {
  it('resolves to packages/edge-runtime/models/student.onnx', () => {
    expect(DEFAULT_MODEL_PATH.replaceAll('\\', '/')).toMatch(/packages\/edge-runtime\/models\/student\.onnx$/);
  });

  it.skipIf(existsSync(DEFAULT_MODEL_PATH))('is missing in this build: the error says so and how to pass a model', async () => {
    const err = await createStereoMatcher().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FileNotFoundError);
    expect((err as FileNotFoundError).code).toBe('ERR_FILE_NOT_FOUND');
    expect((err as Error).message).toMatch(/student\.onnx: bundled default model not found/);
    expect((err as Error).message).toMatch(/does not ship models\/student\.onnx yet/);
    expect((err as Error).message).toMatch(/createStereoMatcher\('path\/to\/model\.onnx'\)/);
  });
});

describe('bad models end in a typed error naming the file and the problem', () => {
  it('a missing model file', async () => {
    const path = join(dir, 'missing.onnx');
    await expect(createStereoMatcher(path)).rejects.toThrow(FileNotFoundError);
    await expect(createStereoMatcher(path)).rejects.toThrow(/missing\.onnx: model not found/);
  });

  it('a file that is not ONNX', async () => {
    const path = join(dir, 'image.onnx');
    writeFileSync(path, 'P5\n2 2\n255\n\x01\x02\x03\x04');
    const err = await createStereoMatcher(path).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FileFormatError);
    expect((err as FileFormatError).file).toBe(path);
    expect((err as Error).message).toMatch(/not an ONNX model/);
    const empty = join(dir, 'empty.onnx');
    writeFileSync(empty, '');
    await expect(createStereoMatcher(empty)).rejects.toThrow(/empty\.onnx: empty file, not an ONNX model/);
  });

  it('ONNX that onnxruntime cannot load', async () => {
    const bytes = encodeModel({
      nodes: [{ opType: 'NoSuchOp', input: ['left', 'right'], output: ['disparity'] }],
      initializers: [],
      inputs: [
        { name: 'left', type: { tensorType: { elemType: 1, shape: { dim: [{ dimValue: 1 }, { dimValue: 3 }, { dimParam: 'H' }, { dimParam: 'W' }] } } } },
        { name: 'right', type: { tensorType: { elemType: 1, shape: { dim: [{ dimValue: 1 }, { dimValue: 3 }, { dimParam: 'H' }, { dimParam: 'W' }] } } } },
      ],
      outputs: [{ name: 'disparity', type: { tensorType: { elemType: 1, shape: { dim: [{ dimValue: 1 }, { dimValue: 1 }, { dimParam: 'H' }, { dimParam: 'W' }] } } } }],
    });
    const err = await createStereoMatcher(bytes).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FileFormatError);
    expect((err as Error).message).toMatch(/<model buffer>: onnxruntime cannot load this model: .*NoSuchOp/);
  });

  it('ONNX that is not a stereo model (one input)', async () => {
    const path = join(dir, 'relu.onnx');
    writeFileSync(path, buildSingleInputModel());
    const err = await createStereoMatcher(path).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelContractError);
    expect((err as ModelContractError).model).toBe(path);
    expect((err as Error).message).toMatch(/not a stereo model.*has 1 input\(s\).*Inputs: x float32 \[1,3,H,W\]/);
  });

  it('a stereo model whose contract metadata is malformed or names a missing tensor', async () => {
    const broken = buildBlockMatchingModel({ metadata: { 'stereo_sdk.contract': '{"version":1,"channels":3}' } });
    await expect(createStereoMatcher(broken)).rejects.toThrow(/field 'inputs' must be an object/);
    const { key, value } = writeContract({ inputs: { layout: 'pair', left: 'L', right: 'right' }, channels: 3, stride: 8, outputs: { disparity: 'disparity' } });
    await expect(createStereoMatcher(buildBlockMatchingModel({ metadata: { [key]: value } }))).rejects.toThrow(/input 'L' not found/);
  });

  it('a model argument of the wrong type', async () => {
    await expect(createStereoMatcher(42 as never)).rejects.toThrow(InvalidParameterError);
  });
});

describe('execution providers', () => {
  const bytes = buildBlockMatchingModel();

  it("['cuda', 'cpu'] falls back to cpu on this machine and reports it", async () => {
    const m = await createStereoMatcher(bytes, { providers: ['cuda', 'cpu'], intraOpNumThreads: 1, interOpNumThreads: 1, spinning: false });
    expect(m.provider).toBe('cpu');
    await m.dispose();
  });

  it("['cuda'] alone fails with one error listing why", async () => {
    const err = await createStereoMatcher(bytes, { providers: ['cuda'] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderUnavailableError);
    const e = err as ProviderUnavailableError;
    expect(e.code).toBe('ERR_PROVIDER_UNAVAILABLE');
    expect(e.failures.map((f) => f.provider)).toEqual(['cuda']);
    expect(e.message).toMatch(/no execution provider could start:\n {2}- cuda: .+onnxruntime-node-install=cuda12/);
    expect(e.message).toMatch(/Add 'cpu' as the last provider/);
  });

  it("['tensorrt', 'cuda'] lists both failures in order", async () => {
    const err = await createStereoMatcher(bytes, { providers: ['tensorrt', 'cuda'], tensorrt: { engineCacheDir: join(dir, 'trt'), fp16: false } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderUnavailableError);
    expect((err as ProviderUnavailableError).failures.map((f) => f.provider)).toEqual(['tensorrt', 'cuda']);
    expect(existsSync(join(dir, 'trt'))).toBe(true);
  });

  it('rejects unknown provider names and bad thread counts up front', async () => {
    await expect(createStereoMatcher(bytes, { providers: ['gpu' as never] })).rejects.toThrow(/Expected one of cpu, cuda, tensorrt, webgpu, dml, coreml, qnn for providers\[0\] but received 'gpu'/);
    await expect(createStereoMatcher(bytes, { providers: [] })).rejects.toThrow(/providers/);
    await expect(createStereoMatcher(bytes, { intraOpNumThreads: 1.5 })).rejects.toThrow(/intraOpNumThreads/);
    await expect(createStereoMatcher(bytes, { spinning: 'no' as never })).rejects.toThrow(/spinning/);
  });
});

describe('lifecycle', () => {
  it('dispose() lets queued calls finish, then later calls fail with DisposedError', async () => {
    const m = await createStereoMatcher(buildBlockMatchingModel());
    const { left, right } = shiftedPair({ width: 32, height: 16, shift: 2 });
    const pending = [m.disparity(left, right), m.disparity(left, right)];
    await new Promise((r) => setTimeout(r, 20));
    const disposing = m.dispose();
    expect(m.dispose()).toBe(disposing);
    const results = await Promise.all(pending);
    expect(results.every((r) => r.width === 32)).toBe(true);
    await disposing;
    await expect(m.disparity(left, right)).rejects.toThrow(DisposedError);
  });
});
