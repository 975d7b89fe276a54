import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { checkBundledModels } from '../src/defaults.js';
import {
  BUNDLED_MODELS, BUNDLED_MODELS_DIR, createStereoMatcher, DEFAULT_MODEL_PATH, defaultModelFor, disparity, FileNotFoundError,
  InvalidParameterError, type BundledModel,
} from '../src/index.js';
import { buildBlockMatchingModel } from './fixtures/stereo-model.js';
import { shiftedPair } from './fixtures/pairs.js';

/**
 * Where the matcher looks for bundled models: the package's models/ unless a test points it at a
 * folder of its own, so the choice is tested whether or not this build ships student-kitti30.onnx.
 */
const injected = vi.hoisted(() => ({ dir: undefined as string | undefined }));
vi.mock('../src/model.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../src/model.js')>();
  return {
    ...real,
    defaultModelFor: (w?: number, h?: number, dir?: string) => real.defaultModelFor(w, h, dir ?? injected.dir ?? real.BUNDLED_MODELS_DIR),
  };
});

let root: string;
/** No model files at all. */
let empty: string;
/** student.onnx only, as every build so far. */
let studentOnly: string;
/** Both models. */
let both: string;
/** student-kitti30.onnx only: loading the general default then fails, naming it. */
let kittiOnly: string;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'bundled-models-'));
  const model = buildBlockMatchingModel({ maxDisp: 4 });
  const folder = (name: string, files: string[]) => {
    const dir = join(root, name);
    mkdirSync(dir);
    for (const f of files) writeFileSync(join(dir, f), model);
    return dir;
  };
  empty = folder('empty', []);
  studentOnly = folder('student', ['student.onnx']);
  both = folder('both', ['student.onnx', 'student-kitti30.onnx']);
  kittiOnly = folder('kitti', ['student-kitti30.onnx']);
});
afterAll(() => {
  injected.dir = undefined;
  rmSync(root, { recursive: true, force: true });
});

describe('BUNDLED_MODELS', () => {
  it('lists the general student and the KITTI-size pruned student, frozen', () => {
    expect(BUNDLED_MODELS.map((m) => [m.name, m.file, m.bestFor])).toEqual([
      ['student', 'student.onnx', undefined],
      ['student-kitti30', 'student-kitti30.onnx', { width: 1242, height: 375, tolerance: 0.25 }],
    ]);
    expect(Object.isFrozen(BUNDLED_MODELS)).toBe(true);
    expect(Object.isFrozen(BUNDLED_MODELS[1].bestFor)).toBe(true);
    expect(DEFAULT_MODEL_PATH).toBe(join(BUNDLED_MODELS_DIR, 'student.onnx'));
  });

  it('checkBundledModels rejects a table that would make the choice ambiguous, naming the entry', () => {
    const general: BundledModel = { name: 'a', file: 'a.onnx', description: 'general' };
    const sized: BundledModel = { name: 'b', file: 'b.onnx', description: 'sized', bestFor: { width: 100, height: 50, tolerance: 0.2 } };
    expect(checkBundledModels([general, sized])).toHaveLength(2);
    const bad: [BundledModel[], RegExp][] = [
      [[general, { ...sized, name: 'a', file: 'a.onnx' }], /BUNDLED_MODELS\[1\]\.name/],
      [[general, { ...sized, file: 'c.onnx' }], /'b\.onnx' for BUNDLED_MODELS\[1\]\.file/],
      [[{ ...general, name: 'Big Model', file: 'Big Model.onnx' }], /BUNDLED_MODELS\[0\]\.name/],
      [[general, { ...sized, description: '' }], /BUNDLED_MODELS\[1\]\.description/],
      [[general, { ...sized, bestFor: { width: 100.5, height: 50, tolerance: 0.2 } }], /BUNDLED_MODELS\[1\]\.bestFor\.width/],
      [[general, { ...sized, bestFor: { width: 100, height: 0, tolerance: 0.2 } }], /BUNDLED_MODELS\[1\]\.bestFor\.height/],
      [[general, { ...sized, bestFor: { width: 100, height: 50, tolerance: 1 } }], /BUNDLED_MODELS\[1\]\.bestFor\.tolerance/],
      [[sized], /exactly one general default/],
      [[general, { ...sized, name: 'c', file: 'c.onnx', bestFor: undefined }], /exactly one general default/],
    ];
    for (const [table, message] of bad) {
      expect(() => checkBundledModels(table)).toThrow(InvalidParameterError);
      expect(() => checkBundledModels(table)).toThrow(message);
    }
  });
});

describe('defaultModelFor', () => {
  it('with no size, or with student-kitti30.onnx absent, is student.onnx', () => {
    for (const dir of [empty, studentOnly]) {
      expect(defaultModelFor(undefined, undefined, dir)).toBe(join(dir, 'student.onnx'));
      expect(defaultModelFor(1242, 375, dir)).toBe(join(dir, 'student.onnx'));
    }
    expect(defaultModelFor(undefined, undefined, both)).toBe(join(both, 'student.onnx'));
  });

  it('picks student-kitti30.onnx within ±25 % of 1242×375 in both sides when it exists', () => {
    const kitti = join(both, 'student-kitti30.onnx');
    const student = join(both, 'student.onnx');
    const cases: [number, number, string][] = [
      [1242, 375, kitti],
      [1224, 370, kitti], // another KITTI drive
      [1552, 468, kitti], // 1242 × 1.25 = 1552.5, 375 × 1.25 = 468.75
      [932, 282, kitti], // 1242 × 0.75 = 931.5, 375 × 0.75 = 281.25
      [1553, 375, student],
      [1242, 469, student],
      [931, 375, student],
      [1242, 281, student],
      [640, 480, student],
      [1920, 1080, student],
    ];
    for (const [w, h, want] of cases) expect(defaultModelFor(w, h, both), `${w}x${h}`).toBe(want);
  });

  it('in the package, is student.onnx without a size, and student-kitti30.onnx at KITTI size only if this build ships it', () => {
    expect(defaultModelFor()).toBe(DEFAULT_MODEL_PATH);
    const kitti = join(BUNDLED_MODELS_DIR, 'student-kitti30.onnx');
    expect(defaultModelFor(1242, 375)).toBe(existsSync(kitti) ? kitti : DEFAULT_MODEL_PATH);
    expect(defaultModelFor(640, 480)).toBe(DEFAULT_MODEL_PATH);
  });

  it('rejects one side without the other and sides that are not positive integers', () => {
    expect(() => defaultModelFor(1242)).toThrow(/for height but received undefined/);
    expect(() => defaultModelFor(undefined, 375)).toThrow(/for width but received undefined/);
    for (const bad of [0, -3, 12.5, Number.NaN]) expect(() => defaultModelFor(bad, 375)).toThrow(InvalidParameterError);
    expect(() => defaultModelFor(1242, 375, '')).toThrow(/modelsDir/);
  });
});

describe('createStereoMatcher and disparity() without a model', () => {
  it('createStereoMatcher({ frameSize }) loads the bundled model for that size', async () => {
    injected.dir = both;
    const m = await createStereoMatcher(undefined, { frameSize: { width: 1242, height: 375 }, intraOpNumThreads: 1 });
    expect(m.model).toBe(join(both, 'student-kitti30.onnx'));
    await m.dispose();
    const small = await createStereoMatcher(undefined, { frameSize: { width: 64, height: 32 }, intraOpNumThreads: 1 });
    expect(small.model).toBe(join(both, 'student.onnx'));
    await small.dispose();
    injected.dir = studentOnly;
    const fallback = await createStereoMatcher(undefined, { frameSize: { width: 1242, height: 375 }, intraOpNumThreads: 1 });
    expect(fallback.model).toBe(join(studentOnly, 'student.onnx'));
    await fallback.dispose();
  });

  it('a missing general default names itself and says how to pass a model', async () => {
    injected.dir = kittiOnly;
    const err = await createStereoMatcher(undefined, { frameSize: { width: 640, height: 480 } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FileNotFoundError);
    expect((err as Error).message).toContain(`${join(kittiOnly, 'student.onnx')}: bundled default model not found`);
    expect((err as Error).message).toMatch(/does not ship models\/student\.onnx yet.*createStereoMatcher\('path\/to\/model\.onnx'\)/);
  });

  it('frameSize is validated, and ignored when a model is given', async () => {
    injected.dir = both;
    for (const frameSize of [{ width: 0, height: 375 }, { width: 1242 }, 'kitti']) {
      await expect(createStereoMatcher(undefined, { frameSize } as never)).rejects.toThrow(/frameSize/);
    }
    const path = join(studentOnly, 'student.onnx');
    const m = await createStereoMatcher(path, { frameSize: { width: 1242, height: 375 }, intraOpNumThreads: 1 });
    expect(m.model).toBe(path);
    await m.dispose();
  });

  it.skipIf(!existsSync(DEFAULT_MODEL_PATH))('createStereoMatcher() with no frame size keeps loading student.onnx', async () => {
    injected.dir = undefined;
    const m = await createStereoMatcher(undefined, { intraOpNumThreads: 1 });
    expect(m.model).toBe(DEFAULT_MODEL_PATH);
    await m.dispose();
  });

  it('disparity(left, right) picks by the pair\'s size and counts decoding in preprocessMs', async () => {
    // Only student-kitti30.onnx exists: a KITTI-size pair runs, a small pair asks for student.onnx.
    injected.dir = kittiOnly;
    const { left, right } = shiftedPair({ width: 932, height: 282, shift: 2, seed: 7 });
    const r = await disparity(left, right, { intraOpNumThreads: 1, confidence: false });
    expect([r.width, r.height]).toEqual([932, 282]);
    expect(r.disparity[141 * 932 + 466]).toBeCloseTo(2, 1);
    expect(r.timings.preprocessMs).toBeGreaterThan(0);
    const small = shiftedPair({ width: 64, height: 32, shift: 2, seed: 8 });
    await expect(disparity(small.left, small.right)).rejects.toThrow(/student\.onnx: bundled default model not found/);
  });
});
