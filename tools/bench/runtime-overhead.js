#!/usr/bin/env node
/**
 * Runtime overhead: preprocess + postprocess time against `session.run` at KITTI resolution
 * (target ≤ 10 %), measured with the edge runtime's latency harness. The baseline of each ratio is
 * the `session.run` median measured in the same configuration of the same run. Configurations:
 *   raw            raw RGB frames (what a camera driver hands over), confidence off;
 *   raw+conf       confidence on, logits at full resolution (the block-matching model's layout);
 *   raw+conf/4     confidence on, logits at 1/4 resolution (a student network's layout);
 *   png            PNG-encoded buffers, confidence off: preprocess then includes decoding.
 * Also prints what the raw overhead would be against a 30 ms inference (the pruned student's
 * KITTI target), because the stand-in model's session.run is far slower than a student's.
 * Prints one JSON object; never gates a test. Runs against the built packages.
 *
 * Options: --size kitti|sceneflow|WxH (kitti), --runs N (30), --warmup N (5), --threads T (2),
 * --max-disp D (8).
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
  },
});
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

async function harness(modelOptions, confidence) {
  const matcher = await rt.createStereoMatcher(buildBenchModel({ maxDisp, ...modelOptions }), { intraOpNumThreads: threads });
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
  const matcher = await rt.createStereoMatcher(buildBenchModel({ maxDisp }), { intraOpNumThreads: threads });
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

const configs = [
  summarize('raw', await harness({ logitsDownsample: 1 }, false)),
  summarize('raw+conf', await harness({ logitsDownsample: 1 }, true)),
  summarize('raw+conf/4', await harness({ logitsDownsample: 4 }, true)),
  summarize('png', await pngConfig()),
];
const raw = configs[0];
print({
  benchmark: 'runtime-overhead',
  model: benchModelNote({ maxDisp, logitsDownsample: 1 }),
  size: `${size.width}x${size.height}`,
  threads,
  runs,
  warmup,
  targetRatio: TARGET_RATIO,
  baseline: 'session.run median of the same configuration, same run',
  configs,
  projected: {
    note: `raw overhead against a ${STUDENT_TARGET_MS} ms session.run (the pruned student's KITTI target)`,
    ratio: round(raw.overheadMs / STUDENT_TARGET_MS, 3),
    withinTarget: raw.overheadMs / STUDENT_TARGET_MS <= TARGET_RATIO,
  },
  machine: machine(),
});
