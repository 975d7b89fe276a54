/**
 * The WebAssembly SIMD path of {@link deinterleave}: the same float32 planes, bit for bit, from
 * 8-bit gray, RGB or RGBA pixels, sixteen pixels per step (kernels written in
 * tools/codegen/simd-planes.wat, assembled with wabt into simd-planes.wasm.ts). WebAssembly only reads and writes its own memory, so an instance
 * owns the input tensors: {@link SimdPlanes.floats} hands them out, and each frame is first copied
 * into a staging area at address 0 (one memcpy, ~0.1 ms at KITTI size).
 *
 * Measured at KITTI size (1242×375 RGB, both views, x64 Node 20, medians of five runs of interleaved
 * calls on a loaded 2-core machine): 2.4–2.5 ms including that copy, against 4.5–5.0 ms for the
 * JavaScript word loop and 7.9–8.7 ms for the byte loop it replaced. A float32-arithmetic kernel is
 * ~0.6 ms faster still but differs from the reference by up to 3.6e-7; float64 keeps the output
 * exactly unchanged, and equal to the JavaScript fallback's. Converting in onnxruntime instead (a small
 * Cast → Transpose → Mul → Add → Pad model) takes 3.3 ms per view on one thread, as every op is a
 * full pass over the tensor, and far longer on two threads of a busy machine.
 */
import { bySource, type PlaneTarget } from './deinterleave.js';
import { SIMD_PLANES_WASM } from './simd-planes.wasm.js';
import type { RawImage } from './types.js';

/** `planes<C>(src, width, height, rowStrideBytes, dst0.., mul0.., add0..)`; addresses are byte offsets. */
type Kernel = (...args: number[]) => void;
/** The kernels by channel count, writing rows forward or mirrored. */
interface Kernels {
  forward: Record<number, Kernel>;
  mirrored: Record<number, Kernel>;
}

/** The part of the WebAssembly JavaScript API used here (the project's `lib` has no DOM, which types it). */
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
};

const PAGE_BYTES = 65536;
/** Start of the tensors after the staging area (a cache line). */
const ALIGN = 64;

let compiled: object | null | undefined;

/** The compiled kernels, or null when this JavaScript engine cannot run them (no SIMD, `--jitless`). */
function kernelModule(): object | null {
  if (compiled === undefined) {
    try {
      compiled = new WebAssembly.Module(Buffer.from(SIMD_PLANES_WASM, 'base64'));
    } catch {
      compiled = null;
    }
  }
  return compiled;
}

/** One instance of the kernels with its own memory: [staging for one image | input tensors]. */
export class SimdPlanes {
  /** Bytes at address 0 reserved for the image being converted. */
  private stagingBytes = 0;

  private constructor(
    private readonly memory: WasmMemory,
    private readonly kernels: Kernels,
  ) {}

  /** A new instance, or undefined when WebAssembly SIMD is unavailable (callers then use the JavaScript loops). */
  static create(): SimdPlanes | undefined {
    const mod = kernelModule();
    if (!mod) return undefined;
    const e = new WebAssembly.Instance(mod, {}).exports;
    const kernels: Kernels = { forward: {}, mirrored: {} };
    for (const c of [1, 3, 4]) {
      kernels.forward[c] = e[`planes${c}`] as Kernel;
      kernels.mirrored[c] = e[`planes${c}_flip`] as Kernel;
    }
    return new SimdPlanes(e.memory as WasmMemory, kernels);
  }

  /**
   * Reserves staging for images of up to `imageBytes` bytes and returns `length` floats after it, for
   * the input tensors; undefined when the memory cannot grow that far (WebAssembly memory ends at
   * 4 GiB), and the caller then allocates them in JavaScript. Growing the memory detaches every view
   * handed out before, so callers take fresh views on each run (they are cheap) and keep none.
   */
  floats(imageBytes: number, length: number): Float32Array | undefined {
    const base = Math.ceil(imageBytes / ALIGN) * ALIGN;
    const need = base + 4 * length;
    const have = this.memory.buffer.byteLength;
    try {
      if (need > have) this.memory.grow(Math.ceil((need - have) / PAGE_BYTES));
    } catch {
      return undefined;
    }
    this.stagingBytes = base;
    return new Float32Array(this.memory.buffer, base, length);
  }

  /**
   * Does what `deinterleave(img, t)` does, when it can.
   * @returns false, having written nothing, for 16-bit or gray+alpha pixels, an image larger than the
   *   staging area, or planes outside this instance's memory or too small for the image.
   */
  write(img: RawImage, t: PlaneTarget): boolean {
    const { data, width, height, channels } = img;
    const kernel = (t.flip ? this.kernels.mirrored : this.kernels.forward)[channels];
    const { buffer } = this.memory;
    if (!kernel || data instanceof Uint16Array || data.length > this.stagingBytes) return false;
    // The kernels write raw memory: only planes of this memory, and only rows that fit them.
    if (t.planes.some((p) => p.buffer !== buffer || p.length < t.rowStride * (height - 1) + width)) return false;
    const color = channels > 1;
    if (color && (t.planes.length !== 3 || new Set(t.order).size !== 3)) return false;
    new Uint8Array(buffer, 0, data.length).set(data);
    const rowBytes = 4 * t.rowStride;
    if (color) {
      const { d, m, a } = bySource(t);
      kernel(0, width, height, rowBytes, d[0].byteOffset, d[1].byteOffset, d[2].byteOffset, m[0], m[1], m[2], a[0], a[1], a[2]);
    } else {
      t.planes.forEach((p, c) => kernel(0, width, height, rowBytes, p.byteOffset, t.mul[c], t.add[c]));
    }
    return true;
  }
}
