#!/usr/bin/env node
/**
 * Synthetic generator throughput: pairs per second at 256×512 (default) against the 20 pairs/s
 * target, for in-memory generation (`generateSyntheticPair`, what on-the-fly training uses) and
 * for the full dataset write (`writeSyntheticDataset`: generation + PNG/PFM encoding + atomic
 * writes). Prints one JSON object; never gates a test. Runs against the built packages
 * (`npm run bench:synth` builds @stereo-sdk/stereo and core first).
 *
 * Options: --size HxW (default 256x512), --max-disp D (96), --pairs N per repeat (30),
 * --repeats R (5), --write-pairs N per write repeat (20; 0 skips the write benchmark).
 */
import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';

const TARGET = 20;

const { values } = parseArgs({
  options: {
    size: { type: 'string', default: '256x512' },
    'max-disp': { type: 'string', default: '96' },
    pairs: { type: 'string', default: '30' },
    repeats: { type: 'string', default: '5' },
    'write-pairs': { type: 'string', default: '20' },
  },
});
const size = /^(\d+)x(\d+)$/.exec(values.size);
if (!size) throw new Error(`--size must be HEIGHTxWIDTH, e.g. 256x512; got '${values.size}'`);
const height = Number(size[1]);
const width = Number(size[2]);
const maxDisparity = Number(values['max-disp']);
const pairs = Number(values.pairs);
const repeats = Number(values.repeats);
const writePairs = Number(values['write-pairs']);

let stereo;
try {
  stereo = await import('@stereo-sdk/stereo');
} catch (err) {
  console.error(`cannot load @stereo-sdk/stereo (build first: npm run build): ${err.message}`);
  process.exit(1);
}
const { generateSyntheticPair, writeSyntheticDataset } = stereo;
const options = { width, height, maxDisparity };

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const round = (x) => Math.round(x * 100) / 100;

// Warm-up: let the JIT compile the hot loops before timing.
for (let i = 0; i < 5; i++) generateSyntheticPair(options, 1_000_000 + i);

const genRuns = [];
for (let r = 0; r < repeats; r++) {
  const t0 = performance.now();
  for (let i = 0; i < pairs; i++) generateSyntheticPair(options, r * pairs + i);
  genRuns.push((pairs * 1000) / (performance.now() - t0));
}
const generate = median(genRuns);

let write = null;
if (writePairs > 0) {
  const tmp = await fsp.mkdtemp(path.join(os.tmpdir(), 'bench-synth-'));
  const runs = [];
  try {
    for (let r = 0; r < Math.max(1, Math.min(repeats, 3)); r++) {
      const res = await writeSyntheticDataset(path.join(tmp, `run${r}`), { ...options, count: writePairs, seed: r });
      runs.push(res.written / res.seconds);
    }
  } finally {
    await fsp.rm(tmp, { recursive: true, force: true });
  }
  write = { pairsPerSecond: round(median(runs)), runs: runs.map(round), pairsPerRun: writePairs, ratioToTarget: round(median(runs) / TARGET) };
}

console.log(
  JSON.stringify(
    {
      benchmark: 'synth',
      size: `${height}x${width}`,
      width,
      height,
      maxDisparity,
      targetPairsPerSecond: TARGET,
      pairsPerSecond: round(generate),
      msPerPair: round(1000 / generate),
      ratioToTarget: round(generate / TARGET),
      generate: { pairsPerSecond: round(generate), runs: genRuns.map(round), pairsPerRun: pairs },
      write,
      machine: { node: process.version, cpus: os.cpus().length, loadavg: os.loadavg().map(round) },
    },
    null,
    2,
  ),
);
