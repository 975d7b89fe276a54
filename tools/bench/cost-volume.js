#!/usr/bin/env node
/**
 * Cost-volume formulations on onnxruntime CPU: the time of the correlation volume alone, at 1/4 of
 * a KITTI frame by default (C = 32 features, D = 48 disparities, 96×312), median of interleaved
 * repeats (the methods take turns, so a load spike hits all of them), ratios against the
 * per-disparity Slice baseline, and the largest difference to it (every formulation computes the
 * same volume). Also times the winner on a 1/8-resolution volume (half H, W and D), the
 * alternative of a coarser volume with learned upsampling. Prints one JSON object; never gates a
 * test. Runs against the built packages (`npm run bench:cost-volume` builds them first).
 *
 * Package formulations (`correlationVolume`, packages/stereo/src/nets/cost-volume.ts):
 *   slice           one Slice/Mul/ReduceMean/Pad per disparity (baseline)
 *   shift           right map padded once, Slice + Mul per disparity, grouped 1×1 Conv
 *   matmul          per-row MatMul of all pairs, band cut by a skewing Reshape + Slice (ascending order)
 *   matmul-desc     the same with the disparity axis descending (no reversing Slice; the networks use it)
 * Alternatives tried here only:
 *   shift-reduce    right map padded once, Slice + Mul + ReduceMean per disparity
 *   matmul-gather   per-row MatMul, band picked by Gather with an index computed from Shape/Range
 *   matmul-gather-elements  per-row MatMul, band picked by GatherElements with a constant index
 *                   (fixed size only: the index depends on W)
 *
 * Options: --size HxW (feature size, default 96x312), --channels C (32), --disparities D (48),
 * --groups G (1), --repeats R (15), --threads T (2), --methods a,b,... (all).
 */
import { parseArgs } from 'node:util';
import { machine, round } from './lib/common.js';

const { values } = parseArgs({
  options: {
    size: { type: 'string', default: '96x312' },
    channels: { type: 'string', default: '32' },
    disparities: { type: 'string', default: '48' },
    groups: { type: 'string', default: '1' },
    repeats: { type: 'string', default: '15' },
    threads: { type: 'string', default: '2' },
    methods: { type: 'string' },
  },
});
const size = /^(\d+)x(\d+)$/.exec(values.size);
if (!size) throw new Error(`--size must be HEIGHTxWIDTH of the feature map, e.g. 96x312; got '${values.size}'`);
const [H, W] = [Number(size[1]), Number(size[2])];
const [C, D, G] = [Number(values.channels), Number(values.disparities), Number(values.groups)];
const repeats = Number(values.repeats);
const threads = Number(values.threads);
if (![H, W, C, D, G, repeats].every((v) => Number.isInteger(v) && v >= 1) || C % G !== 0) throw new Error('sizes, channels, disparities, groups and repeats must be positive integers, groups dividing channels');

let core;
let stereo;
try {
  core = await import('@stereo-sdk/core');
  stereo = await import('@stereo-sdk/stereo');
} catch (err) {
  console.error(`cannot load the built packages (build first: npm run build): ${err.message}`);
  process.exit(1);
}
const { GraphBuilder, attr, createGraphSession } = core;
const END = 2 ** 53 - 1;

/** [N, C, H, W] → [N, G, C/G, H, W]. */
const grouped = (b, x, g) => b.reshape(b.unsqueeze(x, [1]), [0, g, -1, 0, 0]);

/** Bench-only formulations, each returning [N, G, D, H, W] (ascending disparity). */
const ALTERNATIVES = {
  'shift-reduce': (b, l, r, d, g) => {
    const rp = grouped(b, b.pad(r, [0, 0, 0, d - 1, 0, 0, 0, 0]), g);
    const gl = grouped(b, l, g);
    const planes = [];
    for (let k = 0; k < d; k++) planes.push(b.reduceMean(b.mul(gl, b.slice(rp, { starts: [d - 1 - k], ends: [k === 0 ? END : -k], axes: [4] })), [2]));
    return b.concat(planes, 2);
  },
  'matmul-gather': (b, l, r, d, g) => {
    const cg = C / g;
    const lt = b.transpose(grouped(b, b.mul(l, 1 / cg), g), [0, 1, 3, 4, 2]); // N G H W Cg
    const rt = b.pad(b.transpose(grouped(b, r, g), [0, 1, 3, 2, 4]), [0, 0, 0, 0, d - 1, 0, 0, 0, 0, 0]); // N G H Cg W+D-1
    const pairs = b.reshape(b.matmul(lt, rt), [0, 0, 0, -1]);
    const [width] = b.op('Shape', [l], { start: attr.int(3), end: attr.int(4) });
    const [xs] = b.op('Range', [b.scalar(0, 'int64'), b.squeeze(width, [0]), b.scalar(1, 'int64')]);
    const rows = b.mul(xs, b.add(width, b.constant([d], [1], 'int64')));
    const index = b.add(b.unsqueeze(rows, [0]), b.constant(Array.from({ length: d }, (_, k) => d - 1 - k), [d, 1], 'int64'));
    const [band] = b.op('Gather', [pairs, index], { axis: attr.int(3) }); // N G H D W
    return fixShape(b, b.transpose({ ...band, shape: [1, g, H, d, W] }, [0, 1, 3, 2, 4]), [1, g, d, H, W]);
  },
  'matmul-gather-elements': (b, l, r, d, g) => {
    const cg = C / g;
    const lt = b.transpose(grouped(b, b.mul(l, 1 / cg), g), [0, 1, 3, 4, 2]);
    const rt = b.pad(b.transpose(grouped(b, r, g), [0, 1, 3, 2, 4]), [0, 0, 0, 0, d - 1, 0, 0, 0, 0, 0]);
    const pairs = b.matmul(lt, rt); // N G H W W+D-1
    const idx = new BigInt64Array(W * d);
    for (let x = 0; x < W; x++) for (let k = 0; k < d; k++) idx[x * d + k] = BigInt(x + d - 1 - k);
    const index = b.expand(b.constant(idx, [1, 1, 1, W, d], 'int64'), [1, g, H, W, d]);
    const [band] = b.op('GatherElements', [pairs, index], { axis: attr.int(4) }); // N G H W D
    return b.transpose(band, [0, 1, 4, 2, 3]);
  },
};

/** Records a shape the builder could not infer node by node (a Shape-computed index). */
function fixShape(b, ref, shape) {
  b.graph.setType(ref.name, { dtype: 'float32', shape });
  return { ...ref, shape };
}

const PACKAGE = {
  slice: { method: 'slice' },
  shift: { method: 'shift' },
  matmul: { method: 'matmul' },
  'matmul-desc': { method: 'matmul', order: 'descending' },
};

function build(name, h, w, d) {
  const b = new GraphBuilder({ name });
  const l = b.input('left', 'float32', [1, C, h, w]);
  const r = b.input('right', 'float32', [1, C, h, w]);
  let volume;
  // Disparity as channels, [N, G·D, H, W], as the networks consume it.
  if (PACKAGE[name]) volume = stereo.correlationVolume(b, l, r, { disparities: d, groups: G, layout: '2d', ...PACKAGE[name] });
  else volume = stereo.volumeToChannels(b, ALTERNATIVES[name](b, l, r, d, G));
  b.output(volume, 'cost');
  return b.build();
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

function feeds(h, w, seed) {
  const rng = core.createRng(seed);
  const t = () => ({ type: 'float32', dims: [1, C, h, w], data: Float32Array.from({ length: C * h * w }, () => rng() * 2 - 1) });
  return { left: t(), right: t() };
}

/** Times each case in round-robin; returns per-case stats and outputs for the correctness check. */
async function timeCases(cases) {
  const runs = [];
  for (const c of cases) {
    const session = await createGraphSession(build(c.method, c.h, c.w, c.d), { threads });
    const input = feeds(c.h, c.w, 1);
    let out;
    for (let i = 0; i < 3; i++) out = await session.run(input);
    runs.push({ ...c, session, input, output: out.cost.data, times: [] });
  }
  for (let r = 0; r < repeats; r++) {
    for (const run of runs) {
      const t0 = performance.now();
      await run.session.run(run.input);
      run.times.push(performance.now() - t0);
    }
  }
  for (const run of runs) await run.session.release();
  return runs;
}

/** Volume of `run` reordered to ascending disparity. */
function ascending(run) {
  if (run.method !== 'matmul-desc') return run.output;
  const plane = run.h * run.w;
  const out = new Float32Array(run.output.length);
  for (let g = 0; g < G; g++) for (let k = 0; k < run.d; k++) out.set(run.output.subarray((g * run.d + k) * plane, (g * run.d + k + 1) * plane), (g * run.d + run.d - 1 - k) * plane);
  return out;
}

const methods = values.methods ? values.methods.split(',') : ['slice', 'shift', 'shift-reduce', 'matmul-gather', 'matmul-gather-elements', 'matmul', 'matmul-desc'];
for (const m of methods) if (!PACKAGE[m] && !ALTERNATIVES[m]) throw new Error(`unknown method '${m}' (${[...Object.keys(PACKAGE), ...Object.keys(ALTERNATIVES)].join(', ')})`);
const eighth = { method: 'matmul-desc', h: Math.max(1, H >> 1), w: Math.max(1, W >> 1), d: Math.max(1, D >> 1), label: 'matmul-desc @1/8' };
const runs = await timeCases([...methods.map((method) => ({ method, h: H, w: W, d: D, label: method })), eighth]);

const base = runs.find((r) => r.method === 'slice' && r.label === 'slice');
const reference = base ? ascending(base) : undefined;
const results = {};
for (const run of runs) {
  const med = median(run.times);
  let maxAbsDiff = null;
  if (reference && run.h === H) {
    const a = ascending(run);
    maxAbsDiff = 0;
    for (let i = 0; i < a.length; i++) maxAbsDiff = Math.max(maxAbsDiff, Math.abs(a[i] - reference[i]));
  }
  results[run.label] = {
    medianMs: round(med),
    minMs: round(Math.min(...run.times)),
    ratioToSlice: base ? round(median(base.times) / med) : null,
    maxAbsDiff,
    ...(run.h !== H ? { featureSize: `${run.h}x${run.w}`, disparities: run.d } : {}),
  };
}
const winner = Object.entries(results).filter(([k]) => !k.includes('@')).sort((a, b) => a[1].medianMs - b[1].medianMs)[0][0];

console.log(
  JSON.stringify(
    {
      benchmark: 'cost-volume',
      featureSize: `${H}x${W}`,
      channels: C,
      disparities: D,
      groups: G,
      threads,
      repeats,
      winner,
      results,
      machine: machine(),
    },
    null,
    2,
  ),
);
