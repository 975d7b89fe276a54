#!/usr/bin/env node
/**
 * Sizes and speed of the student and teacher networks, of the student variants (volume at 1/8;
 * `fast`: volume, hourglass and head at 1/8 with a stride-4 stem), and of each student's floor
 * (width 0.25: every prunable width at 8, as far as pruning goes): parameters and multiply-accumulates
 * (`countCost`) at the KITTI (1242×375) and SceneFlow (960×540) presets padded to the network
 * stride, the float32 inference ONNX size (BN folded), and the inference latency with onnxruntime
 * CPU (median of repeats, after warm-up) of the exported model. Prints one JSON object; never gates
 * a test. Runs against the built packages (`npm run bench:nets` builds them first).
 *
 * Options: --repeats R (10), --threads T (2), --latency student|teacher|both|none (student: every
 * student; both: the teacher too). Latencies carry their ratio to the default student's.
 * --preset kitti|sceneflow (kitti, for the latency).
 */
import { parseArgs } from 'node:util';
import { machine, round } from './lib/common.js';

const { values } = parseArgs({
  options: {
    repeats: { type: 'string', default: '10' },
    threads: { type: 'string', default: '2' },
    latency: { type: 'string', default: 'student' },
    preset: { type: 'string', default: 'kitti' },
  },
});
const repeats = Number(values.repeats);
const threads = Number(values.threads);
if (!Number.isInteger(repeats) || repeats < 1 || !Number.isInteger(threads) || threads < 0) throw new Error('--repeats must be >= 1 and --threads >= 0');
if (!['student', 'teacher', 'both', 'none'].includes(values.latency)) throw new Error(`--latency must be student, teacher, both or none; got '${values.latency}'`);

let core;
let stereo;
try {
  core = await import('@stereo-sdk/core');
  stereo = await import('@stereo-sdk/stereo');
} catch (err) {
  console.error(`cannot load the built packages (build first: npm run build): ${err.message}`);
  process.exit(1);
}
const { countCost, createGraphSession, createRng, encodeOnnx } = core;
const { buildStudent, buildTeacher, INPUT_PRESETS, networkStride, paddedSize, resolveNetConfig, STUDENT_CONFIG, STUDENT_VARIANTS, TEACHER_CONFIG, toInferenceModel } = stereo;
if (!INPUT_PRESETS[values.preset]) throw new Error(`--preset must be one of ${Object.keys(INPUT_PRESETS).join(', ')}`);

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** Latency of several models, timed in turns (a load spike hits all of them), median of repeats. */
async function latencies(jobs) {
  const rng = createRng(1);
  const runs = [];
  for (const job of jobs) {
    const session = await createGraphSession(job.model, { threads });
    const image = () => ({ type: 'float32', dims: [1, 3, job.height, job.width], data: Float32Array.from({ length: 3 * job.height * job.width }, () => rng() * 2 - 1) });
    const feeds = { left: image(), right: image() };
    for (let i = 0; i < 2; i++) await session.run(feeds);
    runs.push({ job, session, feeds, times: [] });
  }
  for (let i = 0; i < repeats; i++) {
    for (const run of runs) {
      const t0 = performance.now();
      await run.session.run(run.feeds);
      run.times.push(performance.now() - t0);
    }
  }
  for (const run of runs) {
    await run.session.release();
    run.job.target.latency = { medianMs: round(median(run.times)), minMs: round(Math.min(...run.times)), runs: run.times.map((t) => round(t, 1)) };
  }
}

const student = (overrides) => ({ kind: 'student', build: (o) => buildStudent({ ...o, config: overrides }), config: resolveNetConfig(STUDENT_CONFIG, overrides) });
// Width 0.25 puts every prunable width at 8 channels, the pruner's default floor: what pruning can reach.
const floor = { widthMultiplier: 0.25 };
const networks = {
  student: student({}),
  'student-floor': student(floor),
  'student-volume-1/8': student({ volumeScale: 8 }),
  'student-fast': student(STUDENT_VARIANTS.fast),
  'student-fast-floor': student({ ...STUDENT_VARIANTS.fast, ...floor }),
  teacher: { kind: 'teacher', build: (o) => buildTeacher(o), config: TEACHER_CONFIG },
};
const result = {};
const jobs = [];
for (const [name, { kind, build, config }] of Object.entries(networks)) {
  const stride = networkStride(config);
  const entry = { stride, presets: {} };
  for (const [preset, size] of Object.entries(INPUT_PRESETS)) {
    const { width, height } = paddedSize(size.width, size.height, stride);
    const net = build({ width, height });
    const cost = countCost(net.graph);
    const model = toInferenceModel(net.graph);
    entry.params = cost.params;
    entry.onnxMiB = round(encodeOnnx(model).length / (1024 * 1024), 2);
    const p = { input: `${size.width}x${size.height}`, padded: `${width}x${height}`, gmacs: round(cost.macs / 1e9, 2) };
    if (preset === values.preset && (values.latency === kind || values.latency === 'both')) jobs.push({ model, width, height, target: p });
    entry.presets[preset] = p;
  }
  result[name] = entry;
}

await latencies(jobs);
const baseline = result.student.presets[values.preset].latency?.medianMs;
for (const entry of Object.values(result)) {
  const p = entry.presets[values.preset];
  if (p.latency && baseline) p.latency.ratioToStudent = round(p.latency.medianMs / baseline, 3);
}
console.log(JSON.stringify({ benchmark: 'nets', threads, repeats, ...result, machine: machine() }, null, 2));
