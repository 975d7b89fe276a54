/**
 * Turns the comb's merged channels into groups. Each union-find component is one channel seen in
 * several slots; components that touch exactly the same slots are the channels of one group
 * (a conv's output channels all touch its weight rows, its bias, its BatchNorm...), ordered by
 * their index in one slot. A group is kept only if it has a parameter and a value to cut.
 */
import type { Slot, SlotTable } from './slots.js';
import type { ChannelGroup, DependencyGraph, FixedAxis, ParamSlice, ValueSlice } from './types.js';

interface Pending {
  /** Slots in signature order; a slot repeats when one channel sits at several of its indices. */
  slots: Slot[];
  /** Per component: its index in each entry of `slots`. */
  comps: number[][];
}

/** Components that hold a parameter, each as its (slot, index) members in slot order. */
function components(table: SlotTable): Map<number, number[]> {
  const hasParam = new Uint8Array(table.elements);
  for (const s of table.slots) if (s.isParam) for (let k = 0; k < s.size; k++) hasParam[table.root(s.base + k)] = 1;
  const members = new Map<number, number[]>();
  for (const s of table.slots) {
    for (let k = 0; k < s.size; k++) {
      const r = table.root(s.base + k);
      if (!hasParam[r]) continue;
      let list = members.get(r);
      if (!list) members.set(r, (list = []));
      list.push(s.id, k);
    }
  }
  return members;
}

/**
 * Buckets components by the slots they touch, with multiplicity: a channel of a weight shared by
 * two convs whose outputs are concatenated sits twice in the concat, and removing it removes both
 * (two slices of the same value or parameter).
 */
function bucket(table: SlotTable): Pending[] {
  const bySignature = new Map<string, Pending>();
  for (const list of components(table).values()) {
    const ids: number[] = [];
    const idx: number[] = [];
    for (let i = 0; i < list.length; i += 2) {
      ids.push(list[i]!);
      idx.push(list[i + 1]!);
    }
    const sig = ids.join(',');
    let p = bySignature.get(sig);
    if (!p) bySignature.set(sig, (p = { slots: ids.map((id) => table.slots[id]!), comps: [] }));
    p.comps.push(idx);
  }
  return [...bySignature.values()];
}

/** One slice of a group: where each of its channels (or, when `perUnit`, each unit) sits in one slot. */
interface Column {
  readonly slot: Slot;
  readonly indices: Int32Array;
  readonly perUnit?: boolean;
}

/**
 * Lays a group's components out as channels. Usually one component is one channel and a slot met
 * twice by a component gives two slices. When a producer meets each component `u` times (attention
 * heads: every head is `u` = head-dim columns of the Q/K/V weights, coupled through the reshaped
 * head axis), the channels are the producer's: `u` per component, removed in units of `u`.
 */
function columns(p: Pending): { cols: Column[]; unit: number } {
  const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
  const slotUnit = p.slots.reduce((u, s) => (u / gcd(u, s.unit)) * s.unit, 1);
  const pos = Math.max(0, p.slots.findIndex((s) => s.unit === slotUnit && slotUnit > 1));
  p.comps.sort((a, b) => a[pos]! - b[pos]!);
  // Column positions of each slot (several when a component meets the slot more than once).
  const seen = new Map<Slot, number[]>();
  p.slots.forEach((s, j) => {
    const at = seen.get(s);
    if (at) at.push(j);
    else seen.set(s, [j]);
  });
  const u = [...seen].reduce((m, [s, at]) => (s.isParam && s.uses.some((x) => x.role === 'producer') ? Math.max(m, at.length) : m), 1);
  const expand = u > 1 && slotUnit === 1 && [...seen.values()].every((at) => at.length === 1 || at.length === u);
  if (!expand) return { cols: p.slots.map((slot, j) => ({ slot, indices: Int32Array.from(p.comps, (c) => c[j]!) })), unit: slotUnit };
  const n = p.comps.length * u;
  const cols = [...seen].map(([slot, at]) =>
    at.length === 1
      ? { slot, indices: Int32Array.from(p.comps, (c) => c[at[0]!]!), perUnit: true }
      : { slot, indices: Int32Array.from({ length: n }, (_, k) => p.comps[Math.floor(k / u)]![at[k % u]!]!) },
  );
  return { cols, unit: u };
}

/** Why a group with these slices cannot be cut, or undefined. */
function whyFixed(cols: readonly Column[], size: number, unit: number): string | undefined {
  const fixedSlot = cols.find((c) => c.slot.fixedReason)?.slot;
  if (fixedSlot) return `'${fixedSlot.value}' axis ${fixedSlot.axis}: ${fixedSlot.fixedReason}`;
  if (size % unit !== 0) return `${size} channels do not split into blocks of ${unit}`;
  // Blocks must be aligned in every slot that demands them, not only in the ordering slot.
  for (const { slot, indices, perUnit } of cols) {
    const u = slot.unit;
    if (u === 1 || perUnit) continue;
    for (let k = 0; k < size; k++) {
      const first = indices[k - (k % u)]!;
      if (first % u !== 0 || indices[k] !== first + (k % u)) return `'${slot.value}' axis ${slot.axis}: channels are not in aligned blocks of ${u}`;
    }
  }
  return undefined;
}

function toGroup(p: Pending, id: number): ChannelGroup | undefined {
  const { cols, unit } = columns(p);
  const size = cols.find((c) => !c.perUnit)!.indices.length;
  const reason = whyFixed(cols, size, unit);
  const [params, values, unitParams, unitValues]: [ParamSlice[], ValueSlice[], ParamSlice[], ValueSlice[]] = [[], [], [], []];
  for (const { slot: s, indices, perUnit } of cols) {
    if (!s.isParam) (perUnit ? unitValues : values).push({ value: s.value, axis: s.axis, indices });
    else {
      // The op that uses the weight, not the Identity that forwards it.
      const use = s.uses.find((u) => u.opType !== 'Identity') ?? s.uses[0];
      (perUnit ? unitParams : params).push({ param: s.value, axis: s.axis, indices, role: use?.role ?? 'affine', opType: use?.opType ?? '' });
    }
  }
  // A fixed group of only per-channel constants (a positional table on a spatial axis, a constant
  // on the batch axis) is noise: nothing there could ever be cut.
  if (params.length === 0 || values.length + unitValues.length === 0 || (reason && params.every((q) => q.role === 'affine'))) return undefined;
  return {
    id,
    size,
    unit,
    params,
    values,
    ...(unitParams.length ? { unitParams } : {}),
    ...(unitValues.length ? { unitValues } : {}),
    prunable: !reason,
    ...(reason ? { fixedReason: reason } : {}),
  };
}

/**
 * Builds the dependency graph from a filled slot table.
 * @param requested caller-requested fixed axes, always listed in `fixed`
 */
export function extractGroups(table: SlotTable, requested: readonly FixedAxis[]): DependencyGraph {
  const first = (p: Pending): number => p.comps.reduce((m, c) => Math.min(m, c[0]!), Infinity);
  const pending = bucket(table).sort((a, b) => a.slots[0]!.id - b.slots[0]!.id || first(a) - first(b));
  const groups: ChannelGroup[] = [];
  const fixed: FixedAxis[] = [];
  const seen = new Set<string>();
  const note = (f: FixedAxis): void => {
    const k = `${f.value}\u0000${f.axis}`;
    if (seen.has(k)) return;
    seen.add(k);
    fixed.push(f);
  };
  for (const p of pending) {
    const g = toGroup(p, groups.length);
    if (!g) continue;
    groups.push(g);
    for (const s of p.slots) if (s.fixedReason) note({ value: s.value, axis: s.axis, reason: s.fixedReason });
  }
  for (const f of requested) note(f);
  return { groups, fixed };
}
