#!/usr/bin/env node
/**
 * A real pair: the time of `disparity()` on a real stereo pair from ../shared/datasets/real (PNG
 * files on disk, so decoding is included), cold (the one-call form: load the model, run, release)
 * and warm (a loaded matcher, median of --runs calls), with the step split. The ratios' baseline is
 * the `session.run` median of the same run. Skips with a message when the dataset is absent.
 * Prints one JSON object; never gates a test. Runs against the built packages.
 *
 * Options: --scene DIR under the real dataset (kitti2015/000005_10), --runs N (10), --threads T (2),
 * --max-disp D (8), --data PATH (../shared/datasets/real, relative to the repository root).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { benchModelNote, buildBenchModel } from './lib/block-matching-model.js';
import { loadRuntime, machine, print, round } from './lib/common.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const { values } = parseArgs({
  options: {
    scene: { type: 'string', default: 'kitti2015/000005_10' },
    runs: { type: 'string', default: '10' },
    threads: { type: 'string', default: '2' },
    'max-disp': { type: 'string', default: '8' },
    data: { type: 'string', default: path.resolve(repoRoot, '../shared/datasets/real') },
  },
});
const manifestPath = path.join(values.data, 'manifest.json');
if (!existsSync(manifestPath)) {
  print({ benchmark: 'runtime-real-pair', skipped: true, reason: `${manifestPath} not found: the real scenes are not on this machine` });
  process.exit(0);
}
const scene = JSON.parse(readFileSync(manifestPath, 'utf8')).find((s) => s.dir === values.scene);
if (!scene) {
  console.error(`no scene with dir '${values.scene}' in ${manifestPath}`);
  process.exit(1);
}
const left = path.join(values.data, scene.dir, scene.left);
const right = path.join(values.data, scene.dir, scene.right);

const rt = await loadRuntime();
const maxDisp = Number(values['max-disp']);
const runs = Number(values.runs);
const model = buildBenchModel({ maxDisp });
const settings = { intraOpNumThreads: Number(values.threads) };

const t0 = performance.now();
const cold = await rt.disparity(left, right, { model, ...settings, confidence: false });
const coldMs = performance.now() - t0;

const matcher = await rt.createStereoMatcher(model, settings);
const wall = [];
const pre = [];
const inf = [];
const post = [];
try {
  await matcher.disparity(left, right, { confidence: false });
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    const r = await matcher.disparity(left, right, { confidence: false });
    wall.push(performance.now() - t);
    pre.push(r.timings.preprocessMs);
    inf.push(r.timings.inferenceMs);
    post.push(r.timings.postprocessMs);
  }
} finally {
  await matcher.dispose();
}
const warm = rt.summarizeLatency(wall);
const sessionRun = rt.median(inf);
print({
  benchmark: 'runtime-real-pair',
  model: benchModelNote({ maxDisp }),
  scene: `${scene.family}/${scene.scene}`,
  files: [path.relative(repoRoot, left), path.relative(repoRoot, right)],
  size: `${cold.width}x${cold.height}`,
  threads: settings.intraOpNumThreads,
  coldOneCallMs: round(coldMs),
  warm: { runs, p50Ms: round(warm.p50), meanMs: round(warm.mean), minMs: round(warm.min), maxMs: round(warm.max) },
  breakdownMs: { preprocessIncludingDecode: round(rt.median(pre)), inference: round(sessionRun), postprocess: round(rt.median(post)) },
  baseline: 'session.run median, same run',
  ratios: { warmToSessionRun: round(warm.p50 / sessionRun, 3), coldToSessionRun: round(coldMs / sessionRun, 3) },
  machine: machine(),
});
