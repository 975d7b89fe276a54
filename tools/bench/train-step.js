#!/usr/bin/env node
/**
 * Training-step benchmark: one step (forward, L1 loss, backward, optimizer update — one
 * session.run) of a representative all-2D conv stack (conv-BN-ReLU ×4 with one stride-2 conv, 3×3
 * kernels, then a 3×3 head: 3→32→32→64(s2)→64→1) at 64×128, batch 4, on 2 threads. The same
 * network's step in PyTorch CPU (tools/bench/train_step_torch.py, run as a child process in the same
 * run) gives the ratio. Timings are medians over `--repeats` steps, taken in rounds of 10 that
 * alternate ORT and PyTorch, so a change in machine load hits both alike. Prints one JSON object;
 * never gates a test. Runs against the built packages (`npm run bench:train-step` builds first).
 *
 * JSON: { ortStepMs, torchStepMs, ratio, peakRssMb, ... } — torchStepMs and ratio are null when
 * python3 or torch is missing. `breakdown` times the forward pass and forward+backward alone (same
 * graph pieces in their own sessions; best times) to show where the step's time goes. On a machine
 * shared with other work PyTorch's OpenMP threads slow down far more than onnxruntime's, so also
 * look at `ortMinMs` / `torchMinMs` / `minRatio`.
 *
 * Options: --json PATH (also write the JSON there), --repeats N (30), --warmup N (5),
 * --threads N (2), --optimizer adamw|sgd (adamw), --batch N (4), --size HxW (64x128),
 * --no-torch, --no-breakdown, --python PATH (default: $PYTHON, /usr/bin/python3, python3).
 */
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const here = path.dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({
  options: {
    json: { type: 'string' },
    repeats: { type: 'string', default: '30' },
    warmup: { type: 'string', default: '5' },
    threads: { type: 'string', default: '2' },
    optimizer: { type: 'string', default: 'adamw' },
    batch: { type: 'string', default: '4' },
    size: { type: 'string', default: '64x128' },
    python: { type: 'string' },
    'no-torch': { type: 'boolean', default: false },
    'no-breakdown': { type: 'boolean', default: false },
  },
});
const size = /^(\d+)x(\d+)$/.exec(values.size);
if (!size) throw new Error(`--size must be HEIGHTxWIDTH, e.g. 64x128; got '${values.size}'`);
const [height, width] = [Number(size[1]), Number(size[2])];
const repeats = Number(values.repeats);
const warmup = Number(values.warmup);
const threads = Number(values.threads);
const batch = Number(values.batch);
const optimizerType = values.optimizer;
if (!['adamw', 'sgd'].includes(optimizerType)) throw new Error(`--optimizer must be adamw or sgd; got '${optimizerType}'`);
const CHANNELS = [32, 32, 64, 64, 1];
const ROUND_SIZE = 10;
const STRIDE2_AT = 2;

let core;
try {
  core = await import('@stereo-sdk/core');
} catch (err) {
  console.error(`cannot load @stereo-sdk/core (build first: npm run build): ${err.message}`);
  process.exit(1);
}
const { GraphBuilder, createTrainer, createGraphSession, l1Loss, makeTensor, writeFileAtomic } = core;

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const round = (x) => (x === null ? null : Math.round(x * 100) / 100);

/** The benchmark network with its L1 loss; returns the graph and the output shape. */
function buildNet() {
  const b = new GraphBuilder({ name: 'bench_conv_stack', seed: 0 });
  let h = b.input('image', 'float32', [batch, 3, height, width]);
  CHANNELS.slice(0, -1).forEach((c, i) => {
    const stride = i === STRIDE2_AT ? 2 : 1;
    h = b.relu(b.batchNorm(b.conv(h, c, { kernel: 3, padding: 1, stride, bias: false })));
  });
  const y = b.conv(h, CHANNELS.at(-1), { kernel: 3, padding: 1, name: 'head' });
  const target = b.input('target', 'float32', y.shape);
  b.output(y, 'prediction');
  b.output(l1Loss(b, y, target), 'loss');
  return { graph: b.build(), outShape: y.shape };
}

function random(dims, seed) {
  let s = seed >>> 0;
  const n = dims.reduce((a, d) => a * d, 1);
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    data[i] = s / 2 ** 32;
  }
  return makeTensor('float32', dims, data);
}

/** Times `iterations` calls of `fn`, in milliseconds each. */
async function timeRuns(fn, iterations) {
  const runs = [];
  for (let i = 0; i < iterations; i++) {
    const t0 = performance.now();
    await fn();
    runs.push(performance.now() - t0);
  }
  return runs;
}

/** A session of `graph` with its run bound to `feeds`. */
async function boundSession(graph, feeds) {
  const session = await createGraphSession(graph, { threads });
  const run = {};
  for (const name of session.inputNames) run[name] = feeds[name];
  return { run: () => session.run(run), release: () => session.release() };
}

function runTorch(repeatsPerRound) {
  if (values['no-torch']) return { stepMs: null, note: 'skipped (--no-torch)' };
  const script = path.join(here, 'train_step_torch.py');
  const args = [script, '--batch', String(batch), '--height', String(height), '--width', String(width), '--channels', CHANNELS.join(','),
    '--stride2-at', String(STRIDE2_AT), '--threads', String(threads), '--optimizer', optimizerType, '--warmup', String(warmup), '--repeats', String(repeatsPerRound)];
  const candidates = [values.python, process.env.PYTHON, '/usr/bin/python3', 'python3'].filter(Boolean);
  const failures = [];
  for (const python of [...new Set(candidates)]) {
    const r = spawnSync(python, args, { encoding: 'utf8', timeout: 600_000 });
    if (r.error) {
      failures.push(`${python}: ${r.error.code ?? r.error.message}`);
      continue;
    }
    try {
      const out = JSON.parse(r.stdout.trim().split('\n').at(-1));
      if (r.status === 0 && typeof out.stepMs === 'number') return { ...out, python };
      failures.push(`${python}: ${out.error ?? `exit ${r.status}`}`);
    } catch {
      failures.push(`${python}: exit ${r.status} ${r.stderr.trim().split('\n').at(-1) ?? ''}`);
    }
  }
  return { stepMs: null, note: failures.join('; ') };
}

const { graph, outShape } = buildNet();
const feeds = { image: random([batch, 3, height, width], 1), target: random(outShape, 2) };
const optimizer = optimizerType === 'adamw' ? { type: 'adamw', lr: 1e-3, weightDecay: 0.01 } : { type: 'sgd', lr: 1e-2, momentum: 0.9, weightDecay: 1e-4 };
const trainer = await createTrainer(graph, { optimizer, threads });
const step = () => trainer.trainStep(feeds);
await timeRuns(step, warmup);
// Peak memory of training alone, before the breakdown's extra sessions exist.
const peakRssMb = process.resourceUsage().maxRSS / 1024;

// The forward pass and forward+backward alone: the step graph cut down to the loss, and to the
// loss and gradient norm (which needs every gradient), parameters fed as inputs.
const parts = [];
if (!values['no-breakdown']) {
  const stepGraph = trainer.trainingGraph;
  const stateFeeds = { 'train/lr': { type: 'float64', dims: [], data: new Float64Array([1e-3]) }, 'train/step': { type: 'float64', dims: [], data: new Float64Array([1]) } };
  for (const name of stepGraph.inputs) {
    const t = feeds[name] ?? graph.initializer(name) ?? makeTensor(stepGraph.dtype(name), stepGraph.staticShape(name));
    stateFeeds[name] ??= { type: t.dtype, dims: t.dims, data: t.data };
  }
  for (const outputs of [['loss'], ['loss', 'train/grad_norm']]) {
    const g = stepGraph.clone({ shareTensors: true });
    g.setOutputs(outputs);
    g.removeDeadCode();
    parts.push(await boundSession(g, stateFeeds));
  }
}

// Rounds alternate ORT and PyTorch so that a change in machine load hits both.
const rounds = Math.max(1, Math.ceil(repeats / ROUND_SIZE));
const perRound = Math.ceil(repeats / rounds);
// Each session is timed in its own block: onnxruntime's idle pool threads spin for a while after a
// run, and would slow a different session run right after.
for (const p of parts) await timeRuns(p.run, warmup);
const ortRuns = [];
const partRuns = parts.map(() => []);
const torchRuns = [];
let torch = { stepMs: null, note: 'not run' };
for (let r = 0; r < rounds; r++) {
  ortRuns.push(...(await timeRuns(step, perRound)));
  for (let i = 0; i < parts.length; i++) partRuns[i].push(...(await timeRuns(parts[i].run, Math.ceil(perRound / 2))));
  if (r > 0 && torchRuns.length === 0) continue;
  torch = runTorch(perRound);
  if (torch.stepMs !== null) torchRuns.push(...torch.runs);
}
await Promise.all([trainer.release(), ...parts.map((p) => p.release())]);
const ortStepMs = median(ortRuns);
const torchStepMs = torchRuns.length ? median(torchRuns) : null;
// Differences of separately timed blocks: minima, because medians of blocks taken at different
// moments can differ by more than the parts themselves on a loaded machine.
const best = (xs) => Math.min(...xs);
const breakdown = parts.length
  ? { forwardMs: round(best(partRuns[0])), backwardMs: round(best(partRuns[1]) - best(partRuns[0])), optimizerAndIoMs: round(best(ortRuns) - best(partRuns[1])) }
  : null;
const result = {
  benchmark: 'train-step',
  ortStepMs: round(ortStepMs),
  torchStepMs: round(torchStepMs),
  ratio: torchStepMs ? round(ortStepMs / torchStepMs) : null,
  peakRssMb: round(peakRssMb),
  // Minima are less sensitive to other processes on the machine than medians.
  ortMinMs: round(Math.min(...ortRuns)),
  torchMinMs: torchRuns.length ? round(Math.min(...torchRuns)) : null,
  minRatio: torchRuns.length ? round(Math.min(...ortRuns) / Math.min(...torchRuns)) : null,
  target: 'ratio <= 1.5, aim for 1.0',
  network: { layers: 'conv-BN-ReLU x4 (stride 2 at the third) + 3x3 head', channels: [3, ...CHANNELS], batch, height, width, optimizer: optimizerType, threads, nodes: trainer.trainingGraph.nodes.length },
  ortRuns: ortRuns.map(round),
  breakdown,
  torch: torchStepMs === null ? { note: torch.note } : { version: torch.torch, python: torch.python, runs: torchRuns.map(round) },
  machine: { node: process.version, cpus: os.cpus().length, loadavg: os.loadavg().map(round) },
};
const text = JSON.stringify(result, null, 2);
if (values.json) await writeFileAtomic(path.resolve(values.json), `${text}\n`);
console.log(text);
