import { describe, it, expect } from 'vitest';
import { parseContract } from '../src/index.js';
import { BufferPool, inputTensors, planRun, writeView } from '../src/preprocess.js';
import { extractConfidence, extractDisparity, flipRows, leftRightCheck, resizeConfidence } from '../src/postprocess.js';
import { resamplePlane } from '../src/resample.js';
import { SerialQueue } from '../src/queue.js';
import { shortReason, tryProviders } from '../src/providers.js';
import { FileFormatError, ProviderUnavailableError, type RawImage } from '../src/index.js';

const contract = (over: Record<string, unknown> = {}) =>
  parseContract({ inputs: { layout: 'pair', left: 'l', right: 'r' }, channels: 3, stride: 4, outputs: { disparity: 'd' }, ...over });

describe('planRun', () => {
  it('pads to the stride, downscales, and uses a fixed size as is', () => {
    expect(planRun(45, 23, contract(), 1)).toEqual({ width: 45, height: 23, runWidth: 45, runHeight: 23, tensorWidth: 48, tensorHeight: 24 });
    expect(planRun(45, 23, contract(), 2)).toEqual({ width: 45, height: 23, runWidth: 23, runHeight: 12, tensorWidth: 24, tensorHeight: 12 });
    expect(planRun(45, 23, contract({ size: { dynamic: false, width: 32, height: 16 } }), 3)).toMatchObject({ runWidth: 32, tensorWidth: 32, tensorHeight: 16 });
  });
});

describe('preprocess: writeView and inputTensors', () => {
  // Pixels (r, g, b): (0,10,20) (255,30,40) / (50,60,70) (80,90,100)
  const img: RawImage = { data: new Uint8Array([0, 10, 20, 255, 30, 40, 50, 60, 70, 80, 90, 100]), width: 2, height: 2, channels: 3 };

  it('applies colour order, per-channel normalization and replicate padding', () => {
    const c = contract({ colorOrder: 'bgr', normalization: { scale: 255, mean: [1, 2, 3], std: [2, 4, 5] }, stride: 3 });
    const plan = planRun(2, 2, c, 1);
    const t = inputTensors(new BufferPool(), plan, c);
    writeView(img, t.left, plan, c, false, new BufferPool());
    const blue = [20, 40, 40, 70, 100, 100, 70, 100, 100].map((v) => (v - 1) / 2);
    const red = [0, 255, 255, 50, 80, 80, 50, 80, 80].map((v) => (v - 3) / 5);
    Array.from(t.left.subarray(0, 9)).forEach((v, i) => expect(v).toBeCloseTo(blue[i], 5));
    Array.from(t.left.subarray(18, 27)).forEach((v, i) => expect(v).toBeCloseTo(red[i], 5));
    expect(t.feeds.l.dims).toEqual([1, 3, 3, 3]);
  });

  it('mirrors for the consistency check and zero-pads', () => {
    const c = contract({ padding: 'zero', stride: 3 });
    const plan = planRun(2, 2, c, 1);
    const buf = new Float32Array(27).fill(7);
    writeView(img, buf, plan, c, true, new BufferPool());
    expect(Array.from(buf.subarray(0, 9)).map((v) => Math.round(v * 255))).toEqual([255, 0, 0, 80, 50, 0, 0, 0, 0]);
  });

  it('feeds gray models the luminance of color images, and color models replicated gray', () => {
    const gray = contract({ channels: 1, stride: 1 });
    const plan = planRun(2, 2, gray, 1);
    const buf = new Float32Array(4);
    writeView(img, buf, plan, gray, false, new BufferPool());
    expect(buf[1] * 255).toBeCloseTo(0.299 * 255 + 0.587 * 30 + 0.114 * 40, 3);
    const rgb = contract({ stride: 1 });
    const out = new Float32Array(12);
    writeView({ data: new Uint16Array([0, 65535, 32768, 1]), width: 2, height: 2, channels: 1 }, out, planRun(2, 2, rgb, 1), rgb, false, new BufferPool());
    expect(Array.from(out.subarray(0, 4))).toEqual(Array.from(out.subarray(8, 12)));
    expect(out[1]).toBe(1);
  });

  it('stacked layouts share one buffer; the pool reuses buffers of the same size', () => {
    const pool = new BufferPool();
    const c = contract({ inputs: { layout: 'stacked', name: 's' } });
    const plan = planRun(8, 4, c, 1);
    const a = inputTensors(pool, plan, c);
    expect(a.feeds.s.dims).toEqual([1, 6, 4, 8]);
    expect(a.left.buffer).toBe(a.right.buffer);
    expect(a.right.byteOffset).toBe(3 * 4 * 8 * 4);
    expect(inputTensors(pool, plan, c).feeds.s.data).toBe(a.feeds.s.data);
    expect(inputTensors(pool, planRun(9, 4, c, 1), c).feeds.s.data.length).toBe(6 * 4 * 12);
  });
});

describe('resamplePlane', () => {
  it('is an exact copy at scale 1 and interpolates linearly at pixel centres otherwise', () => {
    const src = { data: new Float32Array([0, 10, 20, 30]), width: 4, height: 1, offset: 0, pixelStride: 1, rowStride: 4 };
    const same = new Float32Array(4);
    resamplePlane(src, { data: same, width: 4, height: 1, offset: 0, rowStride: 4, scaleX: 1, scaleY: 1 });
    expect(Array.from(same)).toEqual([0, 10, 20, 30]);
    const half = new Float32Array(2);
    resamplePlane(src, { data: half, width: 2, height: 1, offset: 0, rowStride: 2, scaleX: 2, scaleY: 1 });
    expect(Array.from(half)).toEqual([5, 25]);
    const up = new Float32Array(8);
    resamplePlane(src, { data: up, width: 8, height: 1, offset: 0, rowStride: 8, scaleX: 0.5, scaleY: 1, mul: 2 });
    expect(Array.from(up)).toEqual([0, 5, 15, 25, 35, 45, 55, 60]); // ×2, clamped at the ends
  });
});

describe('postprocess', () => {
  const plan = { width: 3, height: 2, runWidth: 3, runHeight: 2, tensorWidth: 4, tensorHeight: 2 };

  it('crops the padding and invalidates negative, NaN and too-large disparities', () => {
    const out = { data: new Float32Array([1, -1, 2, 99, Number.NaN, 5, 3, 99]), dims: [1, 1, 2, 4] };
    const d = extractDisparity(out, plan, 4, 'd');
    expect(Array.from(d)).toEqual([1, Number.NaN, 2, Number.NaN, Number.NaN, 3]);
    expect(() => extractDisparity({ data: new Float32Array(6), dims: [1, 1, 2, 3] }, plan, undefined, 'disp')).toThrow(/'disp' has shape \[1,1,2,3\], expected \[1,1,2,4\]/);
  });

  it('keeps +0, and invalidates +Infinity even without maxDisparity', () => {
    const out = { data: new Float32Array([-0, 0, Infinity, 7, 1, 2, -Infinity, 99]), dims: [1, 1, 2, 4] };
    const d = extractDisparity(out, plan, undefined, 'd');
    expect(Object.is(d[0], 0) && Object.is(d[1], 0)).toBe(true);
    expect(Array.from(d)).toEqual([0, 0, Number.NaN, 1, 2, Number.NaN]);
  });

  it('with nothing to crop, invalidates the output in place and returns it', () => {
    const exact = { width: 2, height: 2, runWidth: 2, runHeight: 2, tensorWidth: 2, tensorHeight: 2 };
    const data = new Float32Array([1, -1, Number.NaN, 3]);
    expect(extractDisparity({ data, dims: [1, 2, 2] }, exact, undefined, 'd')).toBe(data);
    expect(Array.from(data)).toEqual([1, Number.NaN, Number.NaN, 3]);
    // A view into a larger buffer is copied, so the result never exposes other bytes.
    const view = new Float32Array(8).subarray(4);
    expect(extractDisparity({ data: view, dims: [1, 1, 2, 2] }, exact, undefined, 'd').buffer).not.toBe(view.buffer);
  });

  it('scales values by the run-to-input factor', () => {
    const small = { width: 4, height: 2, runWidth: 2, runHeight: 1, tensorWidth: 2, tensorHeight: 1 };
    const d = extractDisparity({ data: new Float32Array([3, 5]), dims: [1, 1, 1, 2] }, small, undefined, 'd');
    // Twice the width: positions interpolate, values double.
    expect(Array.from(d)).toEqual([6, 7, 9, 10, 6, 7, 9, 10]);
  });

  it('confidence is the max softmax probability', () => {
    // D = 2 at one logits pixel per tensor pixel.
    const logits = new Float32Array(16);
    logits.set([0, 0, 0, 0, 0, 0, 0, 0], 0); // d = 0
    logits.set([0, Math.log(3), 0, 0, 0, 0, 0, 0], 8); // d = 1
    const c = extractConfidence({ data: logits, dims: [1, 2, 2, 4] }, plan, new BufferPool(), 'l');
    expect(c[0]).toBeCloseTo(0.5, 6);
    expect(c[1]).toBeCloseTo(0.75, 6);
    expect(() => extractConfidence({ data: logits, dims: [2, 8] }, plan, new BufferPool(), 'l')).toThrow(/expected \[1,D,h,w\]/);
  });

  it('a model-computed confidence is only resized, from any grid over the padded tensor', () => {
    // plan: input 3x2 in a 4x2 tensor, here with a 1/2 grid (2x1) over the tensor.
    const c = resizeConfidence({ data: new Float32Array([0.25, 0.75]), dims: [1, 1, 1, 2] }, plan, 'c');
    expect(c.length).toBe(6);
    const ref = extractConfidence({ data: new Float32Array([0, 0, 0, Math.log(3)]), dims: [1, 2, 1, 2] }, plan, new BufferPool(), 'l');
    // Same grid, same confidences (0.5 and 0.75) → same resize as the logits path.
    const same = resizeConfidence({ data: new Float32Array([0.5, 0.75]), dims: [1, 1, 2] }, plan, 'c');
    for (let i = 0; i < 6; i++) expect(same[i]).toBeCloseTo(ref[i], 6);
    // Full resolution: a plain crop.
    const full = resizeConfidence({ data: Float32Array.from({ length: 8 }, (_, i) => i / 8), dims: [1, 1, 2, 4] }, plan, 'c');
    expect(Array.from(full)).toEqual([0, 1, 2, 4, 5, 6].map((i) => i / 8));
    expect(() => resizeConfidence({ data: new Float32Array(16), dims: [1, 2, 2, 4] }, plan, 'conf')).toThrow(/'conf' has shape \[1,2,2,4\], expected \[1,1,h,w\] or \[1,h,w\]/);
    expect(() => resizeConfidence({ data: new Float32Array(8), dims: [8] }, plan, 'conf')).toThrow(/expected \[1,1,h,w\]/);
  });

  it('left-right check rejects inconsistent and out-of-view pixels', () => {
    const left = new Float32Array([0, 1, 1, 3, Number.NaN]);
    const right = new Float32Array([1, 1, 5, 0, 0]);
    // x=0: d 0 → xr 0, dR 1 → |0−1| = 1 ≤ 1 keep; x=1: → 0, dR 1 keep; x=2: → 1, dR 1 keep;
    // x=3: → 0, dR 1 → 2 > 1 reject; x=4: already invalid.
    expect(leftRightCheck(left, right, 5, 1, 1)).toBe(1);
    expect(Array.from(left)).toEqual([0, 1, 1, Number.NaN, Number.NaN]);
    const edge = new Float32Array([2, 2]);
    expect(leftRightCheck(edge, new Float32Array([2, 2]), 2, 1, 1)).toBe(2); // both land at x < 0
    const rows = new Float32Array([1, 2, 3, 4, 5, 6]);
    flipRows(rows, 3, 2);
    expect(Array.from(rows)).toEqual([3, 2, 1, 6, 5, 4]);
  });
});

describe('SerialQueue', () => {
  it('runs tasks one at a time in order, and a failure does not stall the rest', async () => {
    const q = new SerialQueue();
    const log: string[] = [];
    const task = (name: string, ms: number, fail = false) => () =>
      new Promise<string>((resolve, reject) => {
        log.push(`start ${name}`);
        setTimeout(() => {
          log.push(`end ${name}`);
          if (fail) reject(new Error(name));
          else resolve(name);
        }, ms);
      });
    const results = await Promise.allSettled([q.run(task('a', 20)), q.run(task('b', 1, true)), q.run(task('c', 1))]);
    expect(log).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
  });
});

describe('tryProviders', () => {
  it('returns the first provider that starts', async () => {
    const tried: string[] = [];
    const r = await tryProviders(['tensorrt', 'cuda', 'cpu'], async (p) => {
      tried.push(p);
      if (p !== 'cpu') throw new Error(`${p} missing`);
      return 42;
    });
    expect(r).toEqual({ value: 42, provider: 'cpu' });
    expect(tried).toEqual(['tensorrt', 'cuda', 'cpu']);
  });

  it('lists every failure, and stops at a typed (model) error', async () => {
    const err = await tryProviders(['cuda', 'webgpu'], async (p) => {
      throw new Error(`\u001b[1;31m/onnxruntime_src/x.cc:12 ${p} broke\nstack`);
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderUnavailableError);
    expect((err as ProviderUnavailableError).failures.map((f) => f.reason.split(' (')[0])).toEqual(['cuda broke', 'webgpu broke']);
    const typed = new FileFormatError('m.onnx', 'broken');
    await expect(tryProviders(['cpu', 'cuda'], async () => { throw typed; })).rejects.toBe(typed);
    expect(shortReason('x'.repeat(400)).length).toBe(300);
  });
});
