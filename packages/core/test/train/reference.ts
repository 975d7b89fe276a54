/**
 * JS references of PyTorch 1.13's optimizer steps (torch/optim/adamw.py and sgd.py, single-tensor
 * path) and clip_grad_norm_. Tensor arithmetic is float32 (every result rounded with Math.fround,
 * as PyTorch's CPU kernels compute float tensors); Python scalars (lr, bias corrections) are doubles.
 */
const f = Math.fround;

export interface AdamWRef {
  lr: number;
  betas: [number, number];
  eps: number;
  weightDecay: number;
}

/** One AdamW step in place: `t` is the 1-based step; `decay` false skips weight decay. */
export function adamwStep(p: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, t: number, o: AdamWRef, decay = true): void {
  const [b1, b2] = o.betas;
  const bc1 = 1 - b1 ** t;
  const bc2 = 1 - b2 ** t;
  const stepSize = f(o.lr / bc1);
  const bc2Sqrt = f(Math.sqrt(bc2));
  const shrink = f(1 - o.lr * o.weightDecay);
  for (let i = 0; i < p.length; i++) {
    if (decay && o.weightDecay > 0) p[i] = f(p[i]! * shrink);
    m[i] = f(f(m[i]! * f(b1)) + f(g[i]! * f(1 - b1)));
    v[i] = f(f(v[i]! * f(b2)) + f(f(g[i]! * g[i]!) * f(1 - b2)));
    const denom = f(f(f(Math.sqrt(v[i]!)) / bc2Sqrt) + f(o.eps));
    p[i] = f(p[i]! - f(f(m[i]! / denom) * stepSize));
  }
}

export interface SgdRef {
  lr: number;
  momentum: number;
  nesterov: boolean;
  weightDecay: number;
}

/** One SGD step in place; `buf` is null before the first step with momentum (PyTorch's None). */
export function sgdStep(p: Float32Array, g: Float32Array, buf: Float32Array | null, o: SgdRef): Float32Array | null {
  const d = Float32Array.from(g, (gi, i) => (o.weightDecay > 0 ? f(gi + f(p[i]! * f(o.weightDecay))) : gi));
  let b = buf;
  if (o.momentum > 0) {
    if (!b) b = d.slice();
    else for (let i = 0; i < d.length; i++) b[i] = f(f(b[i]! * f(o.momentum)) + d[i]!);
    for (let i = 0; i < d.length; i++) d[i] = o.nesterov ? f(d[i]! + f(b[i]! * f(o.momentum))) : b[i]!;
  }
  const lr = f(o.lr);
  for (let i = 0; i < p.length; i++) p[i] = f(p[i]! - f(d[i]! * lr));
  return b;
}

/** clip_grad_norm_ in place over several gradients; returns the total norm before clipping. */
export function clipGradNorm(grads: Float32Array[], maxNorm: number): number {
  let sum = 0;
  for (const g of grads) for (const x of g) sum += x * x;
  const norm = Math.sqrt(sum);
  const coef = Math.min(f(maxNorm / (norm + 1e-6)), 1);
  for (const g of grads) for (let i = 0; i < g.length; i++) g[i] = f(g[i]! * coef);
  return norm;
}

/** Largest |a − b| relative to max(1, |b|). */
export function maxRelDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!) / Math.max(1, Math.abs(b[i]!)));
  return m;
}
