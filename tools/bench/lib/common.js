/**
 * Helpers the runtime benchmarks share: loading the built runtime, parsing a size, rounding, and
 * the machine description every result carries (a timing means nothing without it).
 */
import os from 'node:os';

/** The built edge runtime; a clear message instead of a stack when the build is missing. */
export async function loadRuntime() {
  try {
    return await import('@stereo-sdk/edge-runtime');
  } catch (err) {
    console.error(`cannot load @stereo-sdk/edge-runtime (build first: npm run build): ${err.message}`);
    process.exit(1);
  }
}

/** `kitti`, `sceneflow` or WIDTHxHEIGHT. */
export function parseSize(text, presets) {
  if (presets[text]) return { ...presets[text], name: text };
  const m = /^(\d+)x(\d+)$/.exec(text);
  if (!m) throw new Error(`--size must be kitti, sceneflow or WIDTHxHEIGHT (e.g. 640x480); got '${text}'`);
  return { width: Number(m[1]), height: Number(m[2]), name: text };
}

export const round = (x, digits = 2) => (Number.isFinite(x) ? Math.round(x * 10 ** digits) / 10 ** digits : x);

export const mib = (bytes) => round(bytes / (1024 * 1024), 1);

export function machine() {
  return { cpu: os.cpus()[0]?.model.trim(), cores: os.availableParallelism(), node: process.version, loadavg: os.loadavg().map((x) => round(x)) };
}

export function print(result) {
  console.log(JSON.stringify(result, null, 2));
}
