/**
 * Reusable scratch buffers. Generating a 512×256 pair touches ~15 MB of typed arrays; allocating
 * them afresh every pair keeps the garbage collector busy on the second core, which the PNG
 * encoder needs when a dataset is written. Buffers are keyed by role and reused across pairs.
 */

/** Typed buffers by role. With `reuse` false every request allocates (results then outlive the next pair). */
export class Workspace {
  private readonly f32s = new Map<string, Float32Array>();

  constructor(private readonly reuse: boolean) {}

  /**
   * A Float32Array of length `n` for `key`. When reused its contents are stale: callers must write
   * every element before reading it.
   */
  f32(key: string, n: number): Float32Array {
    if (!this.reuse) return new Float32Array(n);
    let a = this.f32s.get(key);
    if (!a || a.length < n) {
      a = new Float32Array(n);
      this.f32s.set(key, a);
    }
    return a.length === n ? a : a.subarray(0, n);
  }
}

/** A workspace that never reuses: for callers that keep the intermediate buffers. */
export const freshWorkspace = (): Workspace => new Workspace(false);
