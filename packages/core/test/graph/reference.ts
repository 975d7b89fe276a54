/** Straightforward JS reference implementations used as oracles for the ORT-run builder graphs. */

export interface Arr {
  data: Float32Array;
  dims: number[];
}

const strides = (dims: readonly number[]): number[] => {
  const s = new Array<number>(dims.length).fill(1);
  for (let i = dims.length - 2; i >= 0; i--) s[i] = s[i + 1]! * dims[i + 1]!;
  return s;
};
const size = (dims: readonly number[]): number => dims.reduce((a, b) => a * b, 1);

/** Iterates over all multi-indices of `dims`. */
function* indices(dims: readonly number[]): Generator<number[]> {
  const idx = new Array<number>(dims.length).fill(0);
  if (dims.some((d) => d === 0)) return;
  for (;;) {
    yield idx;
    let k = dims.length - 1;
    while (k >= 0 && ++idx[k]! === dims[k]) idx[k--] = 0;
    if (k < 0) return;
  }
}

/** N-D grouped convolution with explicit symmetric pads, the textbook loop. */
export function conv(x: Arr, w: Arr, bias: Float32Array | undefined, o: { stride: number[]; pad: number[]; dilation: number[]; groups: number }): Arr {
  const [n, cin] = x.dims as [number, number];
  const [cout, cg] = w.dims as [number, number];
  const ks = w.dims.slice(2);
  const sp = x.dims.slice(2);
  const outSp = sp.map((d, i) => Math.floor((d + 2 * o.pad[i]! - o.dilation[i]! * (ks[i]! - 1) - 1) / o.stride[i]!) + 1);
  const dims = [n, cout, ...outSp];
  const out = new Float32Array(size(dims));
  const xs = strides(x.dims);
  const ws = strides(w.dims);
  const os = strides(dims);
  const perGroupOut = cout / o.groups;
  for (let b = 0; b < n; b++) {
    for (let m = 0; m < cout; m++) {
      const g = Math.floor(m / perGroupOut);
      for (const p of indices(outSp)) {
        let acc = bias ? bias[m]! : 0;
        for (let c = 0; c < cg; c++) {
          const ci = g * cg + c;
          for (const k of indices(ks)) {
            let xi = b * xs[0]! + ci * xs[1]!;
            let inside = true;
            for (let a = 0; a < sp.length; a++) {
              const pos = p[a]! * o.stride[a]! - o.pad[a]! + k[a]! * o.dilation[a]!;
              if (pos < 0 || pos >= sp[a]!) inside = false;
              xi += pos * xs[a + 2]!;
            }
            if (!inside) continue;
            let wi = m * ws[0]! + c * ws[1]!;
            for (let a = 0; a < ks.length; a++) wi += k[a]! * ws[a + 2]!;
            acc += x.data[xi]! * w.data[wi]!;
          }
        }
        let oi = b * os[0]! + m * os[1]!;
        for (let a = 0; a < outSp.length; a++) oi += p[a]! * os[a + 2]!;
        out[oi] = acc;
      }
    }
  }
  void cin;
  return { data: out, dims };
}

/** Inference batch norm over axis 1. */
export function batchNorm(x: Arr, scale: Float32Array, bias: Float32Array, mean: Float32Array, variance: Float32Array, eps: number): Arr {
  const c = x.dims[1]!;
  const inner = size(x.dims.slice(2));
  const out = new Float32Array(x.data.length);
  for (let i = 0; i < x.data.length; i++) {
    const ch = Math.floor(i / inner) % c;
    out[i] = ((x.data[i]! - mean[ch]!) / Math.sqrt(variance[ch]! + eps)) * scale[ch]! + bias[ch]!;
  }
  return { data: out, dims: [...x.dims] };
}

export const map = (x: Arr, f: (v: number) => number): Arr => ({ data: x.data.map(f), dims: [...x.dims] });

export function add(a: Arr, b: Arr): Arr {
  return { data: a.data.map((v, i) => v + b.data[i]!), dims: [...a.dims] };
}

/** Concatenation along axis 1 of [N, C, ...] arrays. */
export function concat1(parts: Arr[]): Arr {
  const n = parts[0]!.dims[0]!;
  const inner = size(parts[0]!.dims.slice(2));
  const c = parts.reduce((s, p) => s + p.dims[1]!, 0);
  const out = new Float32Array(n * c * inner);
  let off = 0;
  for (const p of parts) {
    const pc = p.dims[1]!;
    for (let b = 0; b < n; b++) out.set(p.data.subarray(b * pc * inner, (b + 1) * pc * inner), (b * c + off) * inner);
    off += pc;
  }
  return { data: out, dims: [n, c, ...parts[0]!.dims.slice(2)] };
}

/** Bilinear resize of [N, C, H, W] with half-pixel centers (PyTorch align_corners=False). */
export function resizeBilinear(x: Arr, outH: number, outW: number): Arr {
  const [n, c, h, w] = x.dims as [number, number, number, number];
  const out = new Float32Array(n * c * outH * outW);
  const src = (d: number, scale: number, len: number): [number, number, number] => {
    const s = Math.max(0, (d + 0.5) / scale - 0.5);
    const i0 = Math.min(Math.floor(s), len - 1);
    return [i0, Math.min(i0 + 1, len - 1), s - i0];
  };
  for (let p = 0; p < n * c; p++) {
    for (let y = 0; y < outH; y++) {
      const [y0, y1, ly] = src(y, outH / h, h);
      for (let xx = 0; xx < outW; xx++) {
        const [x0, x1, lx] = src(xx, outW / w, w);
        const v = (r: number, q: number): number => x.data[p * h * w + r * w + q]!;
        out[p * outH * outW + y * outW + xx] = (1 - ly) * ((1 - lx) * v(y0, x0) + lx * v(y0, x1)) + ly * ((1 - lx) * v(y1, x0) + lx * v(y1, x1));
      }
    }
  }
  return { data: out, dims: [n, c, outH, outW] };
}

/** Softmax over axis 1 of [N, C, ...]. */
export function softmax1(x: Arr): Arr {
  const [n, c] = x.dims as [number, number];
  const inner = size(x.dims.slice(2));
  const out = new Float32Array(x.data.length);
  for (let b = 0; b < n; b++) {
    for (let i = 0; i < inner; i++) {
      let mx = -Infinity;
      for (let k = 0; k < c; k++) mx = Math.max(mx, x.data[(b * c + k) * inner + i]!);
      let s = 0;
      for (let k = 0; k < c; k++) s += Math.exp(x.data[(b * c + k) * inner + i]! - mx);
      for (let k = 0; k < c; k++) out[(b * c + k) * inner + i] = Math.exp(x.data[(b * c + k) * inner + i]! - mx) / s;
    }
  }
  return { data: out, dims: [...x.dims] };
}

/** Mean over all axes from 2 on, keepdims. */
export function spatialMean(x: Arr): Arr {
  const [n, c] = x.dims as [number, number];
  const inner = size(x.dims.slice(2));
  const out = new Float32Array(n * c);
  for (let p = 0; p < n * c; p++) {
    let s = 0;
    for (let i = 0; i < inner; i++) s += x.data[p * inner + i]!;
    out[p] = s / inner;
  }
  return { data: out, dims: [n, c, ...x.dims.slice(2).map(() => 1)] };
}

/** y = x · Wᵀ + b for x [N, in], W [out, in]. */
export function linear(x: Arr, w: Arr, b?: Float32Array): Arr {
  const [n, fin] = x.dims as [number, number];
  const fout = w.dims[0]!;
  const out = new Float32Array(n * fout);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < fout; j++) {
      let s = b ? b[j]! : 0;
      for (let k = 0; k < fin; k++) s += x.data[i * fin + k]! * w.data[j * fin + k]!;
      out[i * fout + j] = s;
    }
  }
  return { data: out, dims: [n, fout] };
}
