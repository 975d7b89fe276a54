/**
 * Comb → score → plan → cut on a small conv net in which half the channels of each hidden layer
 * are dead (zero weights in, zero BN scale, zero weights out). Every criterion scores those
 * channels 0, so a 50 % plan must remove exactly them, and the pruned net must compute the same
 * outputs as the original.
 */
import { describe, expect, it } from 'vitest';
import { createGraphSession, type BackendTensor } from '../../src/backend/index.js';
import { GraphBuilder, type Graph } from '../../src/graph/index.js';
import { applyPrunePlan, buildDependencyGraph, collectGradientStats, planPruning, pruneSummary, scoreGroups, type DependencyGraph, type ImportanceCriterion } from '../../src/prune/index.js';
import { mseLoss } from '../../src/train/losses.js';
import { f32, uniformData } from '../train/nets.js';

const DEAD1 = [1, 2, 5, 7, 8, 11, 12, 14];
const DEAD2 = [0, 3, 4, 6, 9, 10, 13, 15];
const live = (dead: number[]): number[] => Array.from({ length: 16 }, (_, k) => k).filter((k) => !dead.includes(k));

/** Zeroes index `k` along `axis` of an initializer (in place on a copy of its data). */
function zero(g: Graph, name: string, axis: number, ks: number[]): void {
  const t = g.initializer(name)!;
  const data = (t.data as Float32Array).slice();
  const inner = t.dims.slice(axis + 1).reduce((a, d) => a * d, 1);
  const n = t.dims[axis]!;
  for (let i = 0; i < data.length; i++) if (ks.includes(Math.floor(i / inner) % n)) data[i] = 0;
  g.setInitializer(name, { ...t, data });
}

/** x [2, 3, 8, 8] → conv1 16 → BN → ReLU → conv2 16 → BN → ReLU → conv3 2 → y. */
function deadNet(): Graph {
  const b = new GraphBuilder({ name: 'dead', seed: 7 });
  const x = b.input('x', 'float32', [2, 3, 8, 8]);
  const h1 = b.relu(b.batchNorm(b.conv(x, 16, { padding: 1, name: 'conv1' }), { name: 'bn1' }));
  const h2 = b.relu(b.batchNorm(b.conv(h1, 16, { padding: 1, name: 'conv2' }), { name: 'bn2' }));
  b.output(b.conv(h2, 2, { kernel: 1, name: 'conv3' }), 'y');
  const g = b.build();
  for (const [dead, conv, bn, next] of [[DEAD1, 'conv1', 'bn1', 'conv2'], [DEAD2, 'conv2', 'bn2', 'conv3']] as const) {
    zero(g, `${conv}.weight`, 0, dead);
    zero(g, `${conv}.bias`, 0, dead);
    zero(g, `${bn}.weight`, 0, dead);
    zero(g, `${next}.weight`, 1, dead);
  }
  return g;
}

const producerGroup = (dep: DependencyGraph, param: string): number => dep.groups.find((g) => g.params.some((s) => s.param === param && s.role === 'producer'))!.id;

async function run(g: Graph, feeds: Record<string, BackendTensor>): Promise<Float32Array> {
  const s = await createGraphSession(g, { threads: 1 });
  try {
    return (await s.run(feeds))['y']!.data as Float32Array;
  } finally {
    await s.release();
  }
}

describe('comb → score → plan → cut', () => {
  it('removes the zero-scored channels under every criterion and scope, and keeps the outputs', async () => {
    const graph = deadNet();
    const dep = buildDependencyGraph(graph);
    const g1 = producerGroup(dep, 'conv1.weight');
    const g2 = producerGroup(dep, 'conv2.weight');
    expect(dep.groups.find((g) => g.id === g1)!.prunable && dep.groups.find((g) => g.id === g2)!.prunable).toBe(true);
    const x = f32([2, 3, 8, 8], uniformData(2 * 3 * 64, 11));
    const batches = [0, 1].map((k) => ({ x: f32([2, 3, 8, 8], uniformData(2 * 3 * 64, 20 + k)), target: f32([2, 2, 8, 8], uniformData(2 * 2 * 64, 30 + k)) }));
    const gradients = await collectGradientStats(graph, { loss: (b, out) => mseLoss(b, out['y']!, b.input('target', 'float32', [2, 2, 8, 8])), batches, threads: 1 });
    const before = await run(graph, { x });
    for (const criterion of ['l1', 'l2', 'bn-scale', 'taylor', 'hessian'] as ImportanceCriterion[]) {
      const notes: number[] = [];
      const scores = scoreGroups(graph, dep, criterion, { gradients, onNote: (g) => notes.push(g) });
      // The comb's BN slices are found by 'bn-scale': no group falls back to L2.
      expect(notes).toEqual([]);
      for (const scope of ['local', 'global'] as const) {
        const plan = planPruning(dep, scores, { ratio: 0.5, scope });
        expect(Array.from(plan.get(g1)!), `${criterion} ${scope}`).toEqual(live(DEAD1));
        expect(Array.from(plan.get(g2)!), `${criterion} ${scope}`).toEqual(live(DEAD2));
        const pruned = applyPrunePlan(graph, dep, plan);
        expect(pruned.initializer('conv2.weight')!.dims).toEqual([8, 8, 3, 3]);
        expect(pruneSummary(graph, pruned).ratio).toBeLessThan(0.5);
        const after = await run(pruned, { x });
        expect(after.length).toBe(before.length);
        const err = after.reduce((m, v, i) => Math.max(m, Math.abs(v - before[i]!)), 0);
        expect(err, `${criterion} ${scope}`).toBeLessThan(1e-5);
      }
    }
  });
});
