/** PyTorch's default parameter initializations, drawn from a seeded `Rng`. */
import type { Rng } from '../../random.js';

/** `n` samples of U(-bound, bound). */
export function uniform(n: number, bound: number, rng: Rng): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = (2 * rng() - 1) * bound;
  return out;
}

/**
 * Bound of PyTorch's `kaiming_uniform_(w, a)` with fan-in mode and leaky_relu gain:
 * gain = √(2 / (1 + a²)), bound = gain · √(3 / fanIn). With a = √5 (the Conv/Linear default) this is
 * 1/√fanIn.
 */
export function kaimingUniformBound(fanIn: number, a = Math.sqrt(5)): number {
  const gain = Math.sqrt(2 / (1 + a * a));
  return gain * Math.sqrt(3 / fanIn);
}
