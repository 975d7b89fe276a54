#!/usr/bin/env node
/**
 * Conv backward formulations on onnxruntime CPU: times the autodiff rules' dX and dW (through
 * `grad()`, the code path training uses) against the alternatives that were tried, for a
 * representative 2D layer (default batch 4, 32→32 channels, 3×3, 64×128) at stride 1 and 2 and a
 * 3×3 depthwise layer; and, when Debian's python3-torch is installed, the same layers' backward in
 * PyTorch CPU with the same thread count. Medians (and minima) of interleaved repeats, the lower of
 * two alternating passes per side (see `lowerOf`). Prints one JSON object; never gates a test.
 * Runs against the built packages (`npm run bench:conv-grad` builds first).
 *
 * Per layer: ortMs / torchMs {forward, dX, dW, dXdW} and ratioToTorch (ORT / torch, medians);
 * the same from minima (ortMinMs, torchMinMs, minRatioToTorch); alternatives: each tried
 * formulation's time and its ratio to the rule's (vsRule > 1: the rule is faster). torchMs is
 * null without PyTorch. On a machine shared with other work, trust the minima more.
 *
 * Every ORT graph ends in a ReduceSum of large results (dX), so no variant pays for copying 4 MB
 * back to JS, which a training step never does either.
 *
 * Options: --batch N (4), --channels C (32), --size HxW (64x128), --threads T (2),
 * --repeats R (15), --json FILE (also write the JSON there).
 */
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { conv2dAlternatives } from './lib/conv-alternatives.js';

const { values } = parseArgs({
  options: {
    batch: { type: 'string', default: '4' },
    channels: { type: 'string', default: '32' },
    size: { type: 'string', default: '64x128' },
    threads: { type: 'string', default: '2' },
    repeats: { type: 'string', default: '15' },
    json: { type: 'string' },
  },
});
const size = /^(\d+)x(\d+)$/.exec(values.size);
if (!size) throw new Error(`--size must be HEIGHTxWIDTH, e.g. 64x128; got '${values.size}'`);
const [batch, channels, threads, repeats] = [values.batch, values.channels, values.threads, values.repeats].map(Number);
const [height, width] = [Number(size[1]), Number(size[2])];

let core;
try {
  core = await import('@stereo-sdk/core');
} catch (err) {
  console.error(`cannot load @stereo-sdk/core (build first: npm run build): ${err.message}`);
  process.exit(1);
}
const { Graph, addInferredNode, attr, grad, createGraphSession, makeTensor, createRng, writeFileAtomic } = core;

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const round = (x) => (x === null || x === undefined ? null : Math.round(x * 100) / 100);
const numel = (dims) => dims.reduce((a, b) => a * b, 1);

/** A small graph-building context over the core IR (what the alternatives are written in). */
class Ctx {
  constructor() {
    this.g = new Graph('bench');
    this.g.opsetImports.set('', 20);
    this.k = 0;
  }
  input(name, shape) {
    this.g.addInput(name, { dtype: 'float32', shape });
    return name;
  }
  ints(v) {
    const name = `c${this.k++}`;
    this.g.addInitializer(name, makeTensor('int64', [v.length], v));
    return name;
  }
  floats(v, dims) {
    const name = `c${this.k++}`;
    this.g.addInitializer(name, makeTensor('float32', dims, v));
    return name;
  }
  op(opType, inputs, attributes = {}) {
    const out = `v${this.k++}`;
    addInferredNode(this.g, { opType, inputs, outputs: [out], attributes });
    return out;
  }
  shape(v) {
    return this.g.staticShape(v);
  }
  /** Sets the outputs, reducing large ones to a scalar. */
  finish(outs) {
    const reduced = outs.map((o) => (numel(this.shape(o)) > 4096 ? this.op('ReduceSum', [o], { keepdims: attr.int(0) }) : o));
    this.g.setOutputs(reduced);
    this.g.removeDeadCode();
    return this.g;
  }
}

/** The rules' backward of Conv(x, w) for `wrt` ('x', 'w' or both), seeded with an input dy. */
function ruleGraph(layer, wrt) {
  const c = new Ctx();
  const x = c.input('x', layer.x);
  const w = c.input('w', layer.w);
  const y = c.op('Conv', [x, w], layer.attrs);
  c.input('dy', c.shape(y));
  const { graph, gradients } = grad(c.g, y, wrt, { seed: 'dy', addOutputs: false, validate: false });
  c.g = graph;
  return c.finish(wrt.map((v) => gradients[v]));
}

function forwardGraph(layer) {
  const c = new Ctx();
  return c.finish([c.op('Conv', [c.input('x', layer.x), c.input('w', layer.w)], layer.attrs)]);
}

/** Every variant of one layer: name → graph. */
function variants(layer) {
  const out = { forward: forwardGraph(layer), dX: ruleGraph(layer, ['x']), dW: ruleGraph(layer, ['w']), dXdW: ruleGraph(layer, ['x', 'w']) };
  for (const [name, build] of Object.entries(conv2dAlternatives(layer))) {
    const c = new Ctx();
    const x = c.input('x', layer.x);
    const w = c.input('w', layer.w);
    const dy = c.input('dy', layer.y);
    out[name] = c.finish([build(c, x, w, dy, attr)]);
  }
  return out;
}

function randomFeed(rng, dims) {
  const data = new Float32Array(numel(dims));
  for (let i = 0; i < data.length; i++) data[i] = 2 * rng() - 1;
  return { type: 'float32', dims, data };
}

/** Median ms per variant; variants run interleaved so background load hits them alike. */
async function timeVariants(layer, graphs) {
  const rng = createRng(7);
  const feeds = { x: randomFeed(rng, layer.x), w: randomFeed(rng, layer.w), dy: randomFeed(rng, layer.y) };
  const sessions = {};
  for (const [name, g] of Object.entries(graphs)) {
    const s = await createGraphSession(g, { threads });
    const f = Object.fromEntries(s.inputNames.map((n) => [n, feeds[n]]));
    for (let i = 0; i < 3; i++) await s.run(f);
    sessions[name] = { s, f, t: [] };
  }
  for (let r = 0; r < repeats; r++) {
    for (const v of Object.values(sessions)) {
      const t0 = performance.now();
      await v.s.run(v.f);
      v.t.push(performance.now() - t0);
    }
  }
  const result = {};
  for (const [name, v] of Object.entries(sessions)) {
    result[name] = { median: round(median(v.t)), min: round(Math.min(...v.t)) };
    await v.s.release();
  }
  return result;
}

const TORCH = `
import json, sys, time, torch
cfg = json.loads(sys.argv[1]); torch.set_num_threads(cfg['threads'])
def med(f, r):
    for _ in range(3): f()
    t = []
    for _ in range(r):
        a = time.perf_counter(); f(); t.append((time.perf_counter() - a) * 1000)
    t.sort(); return {'median': t[len(t) // 2], 'min': t[0]}
out = {}
for L in cfg['layers']:
    x = torch.randn(*L['x'], requires_grad=True); w = torch.randn(*L['w'], requires_grad=True)
    kw = dict(stride=L['stride'], padding=L['pad'], groups=L['group'])
    y = torch.nn.functional.conv2d(x, w, **kw); g = torch.randn_like(y)
    r = cfg['repeats']
    out[L['name']] = {
        'forward': med(lambda: torch.nn.functional.conv2d(x, w, **kw), r),
        'dX': med(lambda: torch.autograd.grad(y, [x], g, retain_graph=True), r),
        'dW': med(lambda: torch.autograd.grad(y, [w], g, retain_graph=True), r),
        'dXdW': med(lambda: torch.autograd.grad(y, [x, w], g, retain_graph=True), r),
    }
print(json.dumps({'version': torch.__version__, 'layers': out}))
`;

/** PyTorch timings, or null when no python3 on the PATH (or /usr/bin) imports torch. */
function torchTimings(layers) {
  const cfg = JSON.stringify({ threads, repeats, layers: layers.map((l) => ({ name: l.name, x: l.x, w: l.w, stride: l.stride, pad: l.pad, group: l.group })) });
  for (const py of ['python3', '/usr/bin/python3']) {
    const r = spawnSync(py, ['-c', TORCH, cfg], { encoding: 'utf8', timeout: 600_000 });
    if (r.status === 0) return JSON.parse(r.stdout.trim().split('\n').pop());
  }
  return null;
}

function layer(name, stride, group) {
  const m = channels;
  const attrs = { strides: attr.ints([stride, stride]), pads: attr.ints([1, 1, 1, 1]), ...(group > 1 ? { group: attr.int(group) } : {}) };
  const out = (d) => Math.floor((d + 2 - 3) / stride) + 1;
  return { name, stride, pad: 1, group, attrs, x: [batch, channels, height, width], w: [m, channels / group, 3, 3], y: [batch, m, out(height), out(width)] };
}

/**
 * Per layer and variant, the lower of two passes' {median, min}. Both sides run two passes in turn
 * (torch, ORT, torch, ORT), so a burst of load from other processes on a shared machine biases
 * neither side.
 */
function lowerOf(a, b) {
  const out = {};
  for (const [name, parts] of Object.entries(a)) {
    out[name] = Object.fromEntries(Object.entries(parts).map(([p, t]) => [p, { median: Math.min(t.median, b[name][p].median), min: Math.min(t.min, b[name][p].min) }]));
  }
  return out;
}

const layers = [layer('conv3x3_s1', 1, 1), layer('conv3x3_s2', 2, 1), layer('depthwise3x3_s1', 1, channels)];
const torchBefore = torchTimings(layers);
const report = {
  benchmark: 'conv-grad',
  batch,
  channels,
  size: `${height}x${width}`,
  threads,
  repeats,
  torchVersion: torchBefore?.version ?? null,
  layers: {},
  machine: { node: process.version, cpus: os.cpus().length, loadavg: os.loadavg().map(round) },
};
const PARTS = ['forward', 'dX', 'dW', 'dXdW'];
async function ortPass() {
  const times = {};
  for (const l of layers) times[l.name] = await timeVariants(l, variants(l));
  return times;
}
const ortFirst = await ortPass();
const torchAfter = torchBefore && torchTimings(layers);
const ortTimes = lowerOf(ortFirst, await ortPass());
const torch = torchBefore && { layers: lowerOf(torchBefore.layers, torchAfter?.layers ?? torchBefore.layers) };
const pick = (o, k) => Object.fromEntries(PARTS.map((p) => [p, o && round(o[p][k])]));
const ratio = (a, b) => (a && b ? round(a / b) : null);
for (const l of layers) {
  const ort = ortTimes[l.name];
  const t = torch?.layers[l.name] ?? null;
  const alternatives = Object.fromEntries(
    Object.entries(ort)
      .filter(([k]) => !PARTS.includes(k))
      .map(([k, v]) => {
        const rule = ort[k.startsWith('dX') ? 'dX' : 'dW'];
        return [k, { ms: v.median, minMs: v.min, vsRule: ratio(v.median, rule.median), minVsRule: ratio(v.min, rule.min) }];
      }),
  );
  report.layers[l.name] = {
    x: l.x,
    w: l.w,
    stride: l.stride,
    group: l.group,
    ortMs: pick(ort, 'median'),
    torchMs: t && pick(t, 'median'),
    ratioToTorch: t && Object.fromEntries(PARTS.map((p) => [p, ratio(ort[p].median, t[p].median)])),
    ortMinMs: pick(ort, 'min'),
    torchMinMs: t && pick(t, 'min'),
    minRatioToTorch: t && Object.fromEntries(PARTS.map((p) => [p, ratio(ort[p].min, t[p].min)])),
    alternatives,
  };
}
const text = JSON.stringify(report, null, 2);
console.log(text);
if (values.json) await writeFileAtomic(values.json, text + '\n');
