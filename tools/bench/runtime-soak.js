#!/usr/bin/env node
/**
 * Runtime soak: thousands of `matcher.disparity()` calls on one matcher; resident memory must stay
 * flat (growth under 5 %). The baseline is the RSS after a warm-up in the same run (buffers
 * allocated, JIT settled); the calls cycle through plain, left-right-checked and downscaled runs
 * so every pooled buffer path is exercised. With `--expose-gc` (the npm script passes it) the
 * garbage collector runs before each RSS reading, so garbage not yet collected is not mistaken
 * for a leak; the RSS trend over the run (MiB per 1000 calls) separates a leak from allocator
 * churn, which moves RSS up and down without a trend. Prints one JSON object; never gates a test. Runs against the built packages.
 *
 * Options: --calls N (2000), --size WxH (320x240), --warmup N (100), --threads T (2), --max-disp D (8).
 */
import { parseArgs } from 'node:util';
import { benchModelNote, buildBenchModel } from './lib/block-matching-model.js';
import { loadRuntime, machine, mib, parseSize, print, round } from './lib/common.js';

const TARGET_GROWTH = 0.05;

const { values } = parseArgs({
  options: {
    calls: { type: 'string', default: '2000' },
    size: { type: 'string', default: '320x240' },
    warmup: { type: 'string', default: '100' },
    threads: { type: 'string', default: '2' },
    'max-disp': { type: 'string', default: '8' },
  },
});
const rt = await loadRuntime();
const size = parseSize(values.size, rt.BENCHMARK_PRESETS);
const calls = Number(values.calls);
const warmup = Number(values.warmup);
const maxDisp = Number(values['max-disp']);

const gc = globalThis.gc;
const rss = () => {
  gc?.();
  return process.memoryUsage().rss;
};

const matcher = await rt.createStereoMatcher(buildBenchModel({ maxDisp }), { intraOpNumThreads: Number(values.threads) });
const { left, right } = rt.syntheticPair(size.width, size.height);
const variants = [{}, { lrCheck: true, confidence: false }, { downscale: 2 }];
const call = (i) => matcher.disparity(left, right, variants[i % variants.length]);

for (let i = 0; i < warmup; i++) await call(i);
const start = rss();
const startHeap = process.memoryUsage().heapUsed;
const samples = [];
const sampleCalls = [];
const every = Math.max(1, Math.floor(calls / 20));
const t0 = performance.now();
for (let i = 0; i < calls; i++) {
  await call(i);
  if ((i + 1) % every === 0) {
    samples.push(mib(process.memoryUsage().rss));
    sampleCalls.push(i + 1);
  }
}
const seconds = (performance.now() - t0) / 1000;
const end = rss();
const endHeap = process.memoryUsage().heapUsed;
await matcher.dispose();

const growth = end / start - 1;

/** Least-squares slope of RSS over calls, in MiB per 1000 calls: a leak shows as a steady positive trend, allocator churn does not. */
function trend(xs, ys) {
  const n = xs.length;
  if (n < 2) return NaN;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (xs[i] - mx) * (ys[i] - my);
    den += (xs[i] - mx) ** 2;
  }
  return (1000 * num) / den;
}
print({
  benchmark: 'runtime-soak',
  model: benchModelNote({ maxDisp }),
  size: `${size.width}x${size.height}`,
  calls,
  warmupCalls: warmup,
  callMix: 'plain (confidence on) / lrCheck / downscale 2, in turn',
  gcBeforeReadings: typeof gc === 'function',
  baseline: 'RSS after the warm-up calls, same run',
  rssStartMb: mib(start),
  rssEndMb: mib(end),
  rssRatio: round(end / start, 4),
  rssGrowthPercent: round(100 * growth, 2),
  targetGrowthPercent: 100 * TARGET_GROWTH,
  withinTarget: growth < TARGET_GROWTH,
  heapStartMb: mib(startHeap),
  heapEndMb: mib(endHeap),
  rssTrendMbPer1000Calls: round(trend(sampleCalls, samples), 2),
  rssSamplesMb: samples,
  seconds: round(seconds, 1),
  msPerCall: round((1000 * seconds) / calls),
  machine: machine(),
});
