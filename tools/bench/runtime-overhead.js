#!/usr/bin/env node
/**
 * Runtime overhead: preprocess + postprocess time against `session.run` at KITTI resolution
 * (target ≤ 10 %), measured with the edge runtime's latency harness. The baseline of each ratio is
 * the `session.run` median measured in the same configuration of the same run. Configurations:
 *   raw            raw RGB frames (what a camera driver hands over), confidence off;
 *   raw+conf       confidence on, logits at full resolution (the block-matching model's layout);
 *   raw+conf/4     confidence on, logits at 1/4 resolution (a student network's layout);
 *   png            PNG-encoded buffers, confidence off: preprocess then includes decoding;
 *   student        the bundled student (models/student.onnx: stride 16, ImageNet normalization), raw
 *                  RGB frames, confidence off: the runtime's real per-frame work;
 *   student+conf   the same with the model's own 1/4-resolution confidence output resized.
 * Also prints what the raw and student overheads would be against a 30 ms inference (the pruned
 * student's KITTI target), because these models' session.run is far slower than a pruned student's.
 * Prints one JSON object; never gates a test. Runs against the built packages.
 *
 * Options: --size kitti|sceneflow|WxH (kitti), --runs N (30), --warmup N (5), --threads T (2),
 * --max-disp D (8), --configs a,b,... (all of the above), --spinning on|off (on: onnxruntime's
 * default; off frees the core its idle threads spin on, see StereoMatcherOptions.spinning).
 */
import { parseArgs } from 'node:util';
import { benchModelNote, buildBenchModel } from './lib/block-matching-model.js';
import { loadRuntime, machine, parseSize, print, round } from './lib/common.js';

const STUDENT_TARGET_MS = 30;
const TARGET_RATIO = 0.1;

const { values } = parseArgs({
  options: {
    size: { type: 'string', default: 'kitti' },
    runs: { type: 'string', default: '30' },
    warmup: { type: 'string', default: '5' },
    threads: { type: 'string', default: '2' },
    'max-disp': { type: 'string', default: '8' },
    configs: { type: 'string', default: 'raw,raw+conf,raw+conf/4,png,student,student+conf' },
    spinning: { type: 'string', default: 'on' },
  },
});
if (values.spinning !== 'on' && values.spinning !== 'off') {
  console.error(`--spinning must be on or off, got '${values.spinning}'`);
  process.exit(1);
}
const matcherOptions = { intraOpNumThreads: Number(values.threads), spinning: values.spinning === 'on' };
const rt = await loadRuntime();
const size = parseSize(values.size, rt.BENCHMARK_PRESETS);
const runs = Number(values.runs);
const warmup = Number(values.warmup);
const threads = Number(values.threads);
const maxDisp = Number(values['max-disp']);

function summarize(name, b) {
  const overhead = b.preprocess + b.postprocess;
  return {
    name,
    preprocessMs: round(b.preprocess),
    inferenceMs: round(b.inference),
    postprocessMs: round(b.postprocess),
    overheadMs: round(overhead),
    ratioToSessionRun: round(overhead / b.inference, 3),
    withinTarget: overhead / b.inference <= TARGET_RATIO,
  };
}

/** `model`: block-matching options, or a model path. */
async function harness(model, confidence) {
  const source = typeof model === 'string' ? model : buildBenchModel({ maxDisp, ...model });
  const matcher = await rt.createStereoMatcher(source, matcherOptions);
  try {
    const r = await rt.benchmarkMatcher(matcher, { ...size, runs, warmup, threads, disparity: { confidence } });
    return r.breakdownMs;
  } finally {
    await matcher.dispose();
  }
}

/** The same harness loop with encoded PNGs, so preprocess includes decoding. */
async function pngConfig() {
  const sharp = (await import('sharp')).default;
  const { left, right } = rt.syntheticPair(size.width, size.height);
  const encode = (img) => sharp(img.data, { raw: { width: img.width, height: img.height, channels: img.channels } }).png({ compressionLevel: 1 }).toBuffer();
  const [l, r] = await Promise.all([encode(left), encode(right)]);
  const matcher = await rt.createStereoMatcher(buildBenchModel({ maxDisp }), matcherOptions);
  const pre = [];
  const inf = [];
  const post = [];
  try {
    for (let i = 0; i < warmup + runs; i++) {
      const { timings } = await matcher.disparity(l, r, { confidence: false });
      if (i < warmup) continue;
      pre.push(timings.preprocessMs);
      inf.push(timings.inferenceMs);
      post.push(timings.postprocessMs);
    }
  } finally {
    await matcher.dispose();
  }
  return { preprocess: rt.median(pre), inference: rt.median(inf), postprocess: rt.median(post) };
}

const CONFIGS = {
  raw: () => harness({ logitsDownsample: 1 }, false),
  'raw+conf': () => harness({ logitsDownsample: 1 }, true),
  'raw+conf/4': () => harness({ logitsDownsample: 4 }, true),
  png: pngConfig,
  student: () => harness(rt.DEFAULT_MODEL_PATH, false),
  'student+conf': () => harness(rt.DEFAULT_MODEL_PATH, true),
};
const selected = values.configs.split(',').map((c) => c.trim());
const unknown = selected.filter((c) => !(c in CONFIGS));
if (unknown.length > 0) {
  console.error(`--configs: unknown ${unknown.join(', ')}; choose from ${Object.keys(CONFIGS).join(', ')}`);
  process.exit(1);
}
const configs = [];
for (const name of selected) configs.push(summarize(name, await CONFIGS[name]()));
/** Overhead of the cheapest configurations against the pruned student's target inference time. */
const projected = configs
  .filter((c) => c.name === 'raw' || c.name === 'student')
  .map((c) => ({
    config: c.name,
    overheadMs: c.overheadMs,
    ratio: round(c.overheadMs / STUDENT_TARGET_MS, 3),
    withinTarget: c.overheadMs / STUDENT_TARGET_MS <= TARGET_RATIO,
  }));
print({
  benchmark: 'runtime-overhead',
  model: `raw*/png: ${benchModelNote({ maxDisp, logitsDownsample: 1 })}; student*: the bundled student`,
  size: `${size.width}x${size.height}`,
  threads,
  spinning: values.spinning,
  runs,
  warmup,
  targetRatio: TARGET_RATIO,
  baseline: 'session.run median of the same configuration, same run',
  configs,
  projected: {
    note: `overhead against a ${STUDENT_TARGET_MS} ms session.run (the pruned student's KITTI target)`,
    configs: projected,
  },
  machine: machine(),
});
