import { describe, it, expect } from 'vitest';
import { parseContract, type RawImage } from '../src/index.js';
import { deinterleave, type PlaneTarget } from '../src/deinterleave.js';
import { BufferPool, inputTensors, planRun, writeView } from '../src/preprocess.js';
import { SimdPlanes } from '../src/simd-planes.js';

let seed = 12345;
const next = (): number => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0);

/** Random samples; `offset` bytes before the data make the view unaligned. */
function image(width: number, height: number, channels: RawImage['channels'], wide = false, offset = 0): RawImage {
  const n = width * height * channels;
  const data = wide ? new Uint16Array(n) : new Uint8Array(new ArrayBuffer(n + offset), offset, n);
  for (let i = 0; i < n; i++) data[i] = wide ? next() & 0xffff : next() & 0xff;
  return { data, width, height, channels };
}

/** The definition, one pixel at a time: plane c, row y, column x (or width-1-x mirrored). */
function reference(img: RawImage, t: PlaneTarget): Float32Array[] {
  const out = t.planes.map((p) => new Float32Array(p.length).fill(-7));
  for (let c = 0; c < out.length; c++) {
    for (let y = 0; y < img.height; y++) {
      for (let x = 0; x < img.width; x++) {
        const v = img.data[(y * img.width + x) * img.channels + t.order[c]];
        out[c][y * t.rowStride + (t.flip ? img.width - 1 - x : x)] = v * t.mul[c] + t.add[c];
      }
    }
  }
  return out;
}

/** Bitwise equality, so -0/+0 and NaN payloads count. */
function sameBits(a: Float32Array, b: Float32Array): boolean {
  const ua = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const ub = new Uint32Array(b.buffer, b.byteOffset, b.length);
  return a.length === b.length && ua.every((v, i) => v === ub[i]);
}

const mul = [1 / (255 * 0.229), 1 / (255 * 0.224), 1 / (255 * 0.225)];
const add = [-0.485 / 0.229, -0.456 / 0.224, -0.406 / 0.225];
/** Widths around the word (4) and SIMD (16) step, heights 1-3. */
const SIZES = [[1, 1], [3, 2], [4, 1], [5, 3], [15, 2], [16, 1], [17, 3], [35, 2]] as const;

function target(planes: Float32Array[], rowStride: number, channels: number, bgr: boolean, flip: boolean): PlaneTarget {
  const order = channels < 3 ? planes.map(() => 0) : planes.map((_, c) => (bgr ? 2 - c : c));
  return { planes, rowStride, order, mul: mul.slice(0, planes.length), add: add.slice(0, planes.length), flip };
}

describe('deinterleave (JavaScript loops)', () => {
  it('matches the per-pixel definition for every channel count, sample type, alignment, order and mirror', () => {
    for (const [w, h] of SIZES) {
      for (const channels of [1, 2, 3, 4] as const) {
        for (const [wide, offset] of [[false, 0], [false, 1], [false, 2], [true, 0]] as const) {
          for (const bgr of [false, true]) {
            for (const flip of [false, true]) {
              const img = image(w, h, channels, wide, offset);
              const rowStride = w + 3;
              const planes = [0, 1, 2].map(() => new Float32Array(rowStride * h).fill(-7));
              const t = target(planes, rowStride, channels, bgr, flip);
              deinterleave(img, t);
              const ref = reference(img, t);
              planes.forEach((p, c) => expect(sameBits(p, ref[c]), `${w}x${h}x${channels} wide=${wide} +${offset} bgr=${bgr} flip=${flip} plane ${c}`).toBe(true));
            }
          }
        }
      }
    }
  });
});

const simd = SimdPlanes.create();

describe.skipIf(!simd)('SimdPlanes (WebAssembly SIMD kernels)', () => {
  const kernels = simd!;

  it('writes exactly the floats of the JavaScript loops, leaving the padding columns alone', () => {
    for (const [w, h] of SIZES) {
      for (const channels of [1, 3, 4] as const) {
        // [planes, bgr]: gray goes to a gray model or is replicated; colour in either order.
        const layouts = channels === 1 ? [[1, false], [3, false]] as const : [[3, false], [3, true]] as const;
        for (const [nPlanes, bgr] of layouts) {
          for (const offset of [0, 1]) {
            for (const flip of [false, true]) {
              const img = image(w, h, channels, false, offset);
              const rowStride = w + 5;
              const all = kernels.floats(4 * w * h, nPlanes * rowStride * h).fill(-7);
              const planes = Array.from({ length: nPlanes }, (_, c) => all.subarray(c * rowStride * h, (c + 1) * rowStride * h));
              const t = target(planes, rowStride, channels, bgr, flip);
              expect(kernels.write(img, t)).toBe(true);
              const ref = planes.map((p) => new Float32Array(p.length).fill(-7));
              deinterleave(img, { ...t, planes: ref });
              planes.forEach((p, c) => expect(sameBits(p, ref[c]), `${w}x${h}x${channels} →${nPlanes} +${offset} bgr=${bgr} flip=${flip} plane ${c}`).toBe(true));
            }
          }
        }
      }
    }
  });

  it('declines what it cannot do, writing nothing', () => {
    const all = kernels.floats(4 * 8 * 2, 3 * 8 * 2).fill(-7);
    const planes = [0, 1, 2].map((c) => all.subarray(c * 16, (c + 1) * 16));
    const t = target(planes, 8, 3, false, false);
    expect(kernels.write(image(8, 2, 3, true), t)).toBe(false); // 16-bit
    expect(kernels.write(image(8, 2, 2), target(planes, 8, 2, false, false))).toBe(false); // gray + alpha
    expect(kernels.write(image(9, 2, 3), t)).toBe(false); // rows longer than the planes
    expect(kernels.write(image(8, 2, 3), { ...t, planes: planes.map((p) => new Float32Array(p.length)) })).toBe(false); // not its memory
    expect(all.every((v) => v === -7)).toBe(true);
    expect(kernels.write(image(8, 2, 3), t)).toBe(true);
  });

  it('growing the memory for a larger frame keeps the results right', () => {
    const img = image(300, 200, 3);
    const all = kernels.floats(4 * 300 * 200, 3 * 304 * 208);
    const planes = [0, 1, 2].map((c) => all.subarray(c * 304 * 208, (c + 1) * 304 * 208));
    const t = target(planes, 304, 3, false, false);
    expect(kernels.write(img, t)).toBe(true);
    const ref = planes.map((p) => new Float32Array(p.length));
    deinterleave(img, { ...t, planes: ref });
    planes.forEach((p, c) => expect(sameBits(p, ref[c])).toBe(true));
  });
});

describe.skipIf(!simd)('writeView: SIMD and JavaScript paths give the same tensors', () => {
  const base = { inputs: { layout: 'pair', left: 'l', right: 'r' }, channels: 3, stride: 8, outputs: { disparity: 'd' } };
  const contracts = [
    {},
    { colorOrder: 'bgr', padding: 'zero', normalization: { mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] } },
    { inputs: { layout: 'stacked', name: 's' } },
    { channels: 1, normalization: { scale: 255, mean: 0.5, std: 0.25 } },
  ];

  it('for every contract layout, channel count, mirror and downscale', () => {
    for (const over of contracts) {
      const contract = parseContract({ ...base, ...over });
      for (const channels of [1, 2, 3, 4] as const) {
        for (const flip of [false, true]) {
          for (const downscale of [1, 2]) {
            const [l, r] = [image(21, 11, channels), image(21, 11, channels)];
            const plan = planRun(21, 11, contract, downscale);
            const fast = inputTensors(new BufferPool(), plan, contract, simd);
            writeView(l, fast.left, plan, contract, flip, new BufferPool(), simd);
            writeView(r, fast.right, plan, contract, flip, new BufferPool(), simd);
            const slow = inputTensors(new BufferPool(), plan, contract);
            writeView(l, slow.left, plan, contract, flip, new BufferPool());
            writeView(r, slow.right, plan, contract, flip, new BufferPool());
            expect(fast.left.buffer).not.toBe(slow.left.buffer);
            const what = `${JSON.stringify(over)} ${channels}ch flip=${flip} ÷${downscale}`;
            expect(sameBits(fast.left, slow.left), what).toBe(true);
            expect(sameBits(fast.right, slow.right), what).toBe(true);
            expect(Object.keys(fast.feeds)).toEqual(Object.keys(slow.feeds));
          }
        }
      }
    }
  });
});
