/**
 * Channel slots and the union-find the comb merges them with. A slot is one axis of one value
 * (an intermediate tensor or an initializer); each of its `size` indices is an element of the
 * union-find. Rules merge elements one by one (with an offset for Concat and Split), so a slot can
 * end up spread over several groups, and a group is the set of components that touch exactly the
 * same slots.
 */
import type { ParamSlice } from './types.js';

/** How an initializer uses a channel (see `ParamSlice.role`). */
export type Role = ParamSlice['role'];

/** One (value, axis) pair. */
export interface Slot {
  readonly id: number;
  readonly value: string;
  readonly axis: number;
  /** Static size of the axis, or -1 when it is unknown (the slot then has no elements). */
  readonly size: number;
  /** Element id of index 0. */
  readonly base: number;
  /** True when the value is an initializer. */
  readonly isParam: boolean;
  /** Channels of this slot may only be removed in aligned blocks of `unit` (1 = freely). */
  unit: number;
  /** Set when the slot must not change, with the first reason given. */
  fixedReason?: string;
  /** How nodes use the initializer along this axis (first use first). */
  readonly uses: { role: Role; opType: string }[];
}

/** Slots keyed by (value, axis) over one growable union-find. */
export class SlotTable {
  readonly slots: Slot[] = [];
  private readonly byKey = new Map<string, Slot>();
  private parent = new Int32Array(1024);
  private count = 0;

  /** Number of elements allocated. */
  get elements(): number {
    return this.count;
  }

  /** The slot of (value, axis), created with `size` elements on first use. */
  slot(value: string, axis: number, size: number, isParam: boolean): Slot {
    const key = `${value}\u0000${axis}`;
    let s = this.byKey.get(key);
    if (s) return s;
    const n = Math.max(size, 0);
    this.grow(this.count + n);
    for (let k = 0; k < n; k++) this.parent[this.count + k] = this.count + k;
    s = { id: this.slots.length, value, axis, size, base: this.count, isParam, unit: 1, uses: [] };
    this.count += n;
    this.slots.push(s);
    this.byKey.set(key, s);
    return s;
  }

  /** The slot of (value, axis) if one was created. */
  find(value: string, axis: number): Slot | undefined {
    return this.byKey.get(`${value}\u0000${axis}`);
  }

  /** Root element of `e` (with path halving). */
  root(e: number): number {
    const p = this.parent;
    while (p[e] !== e) {
      p[e] = p[p[e]!]!;
      e = p[e]!;
    }
    return e;
  }

  /** Merges the components of elements `a` and `b`. */
  union(a: number, b: number): void {
    const ra = this.root(a);
    const rb = this.root(b);
    // Keep the smaller id as root so components are found in creation order.
    if (ra < rb) this.parent[rb] = ra;
    else if (rb < ra) this.parent[ra] = rb;
  }

  private grow(n: number): void {
    if (n <= this.parent.length) return;
    let len = this.parent.length;
    while (len < n) len *= 2;
    const next = new Int32Array(len);
    next.set(this.parent.subarray(0, this.count));
    this.parent = next;
  }
}
