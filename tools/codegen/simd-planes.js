#!/usr/bin/env node
/**
 * Generates packages/edge-runtime/src/simd-planes.wasm.ts: the WebAssembly SIMD kernels that turn
 * interleaved 8-bit pixels into normalized float32 planes (the per-frame preprocess write), as
 * base64. Run `npm run codegen:simd-planes -w tools` after editing; a test checks that the checked-in
 * file is exactly what this script generates.
 *
 * Each kernel `planes<C>(src, width, height, rowStride, dst0.., mul0.., add0..)` reads `height` rows
 * of `width` pixels with C = 1, 3 or 4 interleaved bytes from `src`, and writes source channel k
 * (k < 3) to the plane row at `dst<k>` (mirrored in `planes<C>_flip`), stepping `rowStride` bytes per row:
 * `dst<k>[x] = f32(byte · mul<k> + add<k>)`, the product and sum in float64 like the JavaScript
 * fallback, so both give bit-identical floats. Sixteen pixels per SIMD step: load C vectors, gather
 * channel k with i8x16.shuffle, widen to four i32x4, convert pairs to f64x2, multiply-add, demote
 * and pack back to f32x4. The last `width % 16` pixels of a row go one at a time.
 */
import { fileURLToPath } from 'node:url';
import { assemble, f64, i32, ins, v128 } from './wasm-assembler.js';

/** Path of the generated module, relative to the repository root. */
export const OUTPUT = 'packages/edge-runtime/src/simd-planes.wasm.ts';

/** Channel counts with a kernel: gray, RGB, RGBA (alpha skipped). */
export const CHANNELS = [1, 3, 4];

const range = (n) => Array.from({ length: n }, (_, i) => i);
const pad16 = (lanes) => [...lanes, ...new Array(16 - lanes.length).fill(0)];

/**
 * Instructions that leave channel k of 16 pixels, loaded as C vectors in locals v[0..C-1], on the
 * stack as 16 bytes: shuffle the bytes of the first two vectors into the low lanes, then append
 * those of each further vector.
 */
function gather(C, k, v) {
  if (C === 1) return ins('local.get', v[0]);
  const pos = range(16).map((i) => C * i + k);
  const first = pos.filter((p) => p < 32);
  const out = [...ins('local.get', v[0]), ...ins('local.get', v[1]), ...ins('i8x16.shuffle', pad16(first))];
  let have = first.length;
  for (let j = 2; j < C; j++) {
    const mine = pos.filter((p) => p >= 16 * j && p < 16 * (j + 1)).map((p) => 16 + p - 16 * j);
    out.push(...ins('local.get', v[j]), ...ins('i8x16.shuffle', pad16([...range(have), ...mine])));
    have += mine.length;
  }
  if (have !== 16) throw new Error(`gather: channel ${k} of ${C} collected ${have} bytes`);
  return out;
}

/** `local += n` for an i32 local (`n` a constant or a local's instructions). */
const addTo = (local, n) => [...ins('local.get', local), ...(typeof n === 'number' ? ins('i32.const', n) : n), ...ins('i32.add'), ...ins('local.set', local)];

/** A counted loop: `body` runs while local `counter` is non-zero, decrementing it after each run. */
const countDown = (counter, body) => [
  ...ins('block'), ...ins('loop'),
  ...ins('local.get', counter), ...ins('i32.eqz'), ...ins('br_if', 1),
  ...body,
  ...addTo(counter, -1),
  ...ins('br', 0), ...ins('end'), ...ins('end'),
];

/** The kernel for C interleaved channels; `flip` writes each row mirrored (right to left). */
function kernel(C, flip) {
  const P = Math.min(C, 3);
  // Parameters.
  const src = 0;
  const width = 1;
  const height = 2;
  const rowStride = 3;
  const dst = range(P).map((k) => 4 + k);
  const mul = range(P).map((k) => 4 + P + k);
  const add = range(P).map((k) => 4 + 2 * P + k);
  const params = [i32, i32, i32, i32, ...dst.map(() => i32), ...mul.map(() => f64), ...add.map(() => f64)];
  // Locals, numbered after the parameters.
  const locals = [];
  const local = (type) => params.length + locals.push(type) - 1;
  const groups = local(i32);
  const tail = local(i32);
  const s = local(i32);
  const o = range(P).map(() => local(i32));
  const v = range(C).map(() => local(v128));
  const x = local(v128);
  const half = local(v128);
  const q = range(4).map(() => local(v128));
  const M = range(P).map(() => local(v128));
  const A = range(P).map(() => local(v128));

  /** f32 of (lanes 0-1 of i32x4 `lanes`) · M + A, in the low half of a vector. */
  const pair = (lanes, k, high) => [
    ...ins('local.get', lanes),
    ...(high ? [...ins('local.get', lanes), ...ins('i8x16.shuffle', [...range(8).map((i) => 8 + i), ...range(8).map((i) => 8 + i)])] : []),
    ...ins('f64x2.convert_low_i32x4_s'),
    ...ins('local.get', M[k]), ...ins('f64x2.mul'),
    ...ins('local.get', A[k]), ...ins('f64x2.add'),
    ...ins('f32x4.demote_f64x2_zero'),
  ];

  // Mirrored, pixels x..x+15 fill the 16 floats ending at column width-1-x, in reverse: a cursor at
  // the block's start moving left, and each f32x4 stored with its lanes reversed.
  const packLanes = flip
    ? [...range(4).map((i) => 20 + i), ...range(4).map((i) => 16 + i), ...range(4).map((i) => 4 + i), ...range(4)]
    : [...range(8), ...range(8).map((i) => 16 + i)];
  const simdStep = [
    ...range(C).flatMap((j) => [...ins('local.get', s), ...ins('v128.load', { offset: 16 * j }), ...ins('local.set', v[j])]),
    ...range(P).flatMap((k) => [
      ...gather(C, k, v), ...ins('local.set', x),
      // Bytes to four i32x4: pixels 0-3, 4-7, 8-11, 12-15.
      ...ins('local.get', x), ...ins('i16x8.extend_low_i8x16_u'), ...ins('local.tee', half),
      ...ins('i32x4.extend_low_i16x8_u'), ...ins('local.set', q[0]),
      ...ins('local.get', half), ...ins('i32x4.extend_high_i16x8_u'), ...ins('local.set', q[1]),
      ...ins('local.get', x), ...ins('i16x8.extend_high_i8x16_u'), ...ins('local.tee', half),
      ...ins('i32x4.extend_low_i16x8_u'), ...ins('local.set', q[2]),
      ...ins('local.get', half), ...ins('i32x4.extend_high_i16x8_u'), ...ins('local.set', q[3]),
      ...range(4).flatMap((j) => [
        ...ins('local.get', o[k]),
        ...pair(q[j], k, false),
        ...pair(q[j], k, true),
        ...ins('i8x16.shuffle', packLanes),
        ...ins('v128.store', { offset: 16 * (flip ? 3 - j : j) }),
      ]),
    ]),
    ...addTo(s, 16 * C),
    ...o.flatMap((ok) => addTo(ok, flip ? -64 : 64)),
  ];

  const scalarStep = [
    ...range(P).flatMap((k) => [
      ...ins('local.get', o[k]),
      ...ins('local.get', s), ...ins('i32.load8_u', { offset: k }), ...ins('f64.convert_i32_u'),
      ...ins('local.get', mul[k]), ...ins('f64.mul'),
      ...ins('local.get', add[k]), ...ins('f64.add'),
      ...ins('f32.demote_f64'), ...ins('f32.store', { offset: 0 }),
    ]),
    ...addTo(s, C),
    ...o.flatMap((ok) => addTo(ok, flip ? -4 : 4)),
  ];

  /** Cursors to dst + 4·(`column` instructions). */
  const cursorsAt = (column) => range(P).flatMap((k) => [
    ...ins('local.get', dst[k]), ...column, ...ins('i32.const', 4), ...ins('i32.mul'), ...ins('i32.add'), ...ins('local.set', o[k]),
  ]);

  const row = [
    ...ins('local.get', src), ...ins('local.set', s),
    ...ins('local.get', width), ...ins('i32.const', 4), ...ins('i32.shr_u'), ...ins('local.set', groups),
    ...ins('local.get', width), ...ins('i32.const', 15), ...ins('i32.and'), ...ins('local.set', tail),
    // Forward, the cursors start at column 0 and run on into the tail. Mirrored, the first block starts
    // at column width-16 and the tail at column tail-1 (with no block, the first cursor is never used).
    ...(flip
      ? cursorsAt([...ins('local.get', width), ...ins('i32.const', 16), ...ins('i32.sub')])
      : range(P).flatMap((k) => [...ins('local.get', dst[k]), ...ins('local.set', o[k])])),
    ...countDown(groups, simdStep),
    ...(flip ? cursorsAt([...ins('local.get', tail), ...ins('i32.const', 1), ...ins('i32.sub')]) : []),
    ...countDown(tail, scalarStep),
    ...addTo(src, [...ins('local.get', width), ...ins('i32.const', C), ...ins('i32.mul')]),
    ...dst.flatMap((d) => addTo(d, ins('local.get', rowStride))),
  ];

  const body = [
    ...range(P).flatMap((k) => [
      ...ins('local.get', mul[k]), ...ins('f64x2.splat'), ...ins('local.set', M[k]),
      ...ins('local.get', add[k]), ...ins('f64x2.splat'), ...ins('local.set', A[k]),
    ]),
    ...countDown(height, row),
  ];
  return { name: `planes${C}${flip ? '_flip' : ''}`, params, locals, body };
}

/** The module's bytes. */
export function buildModule() {
  return assemble({ pages: 1, functions: CHANNELS.flatMap((C) => [kernel(C, false), kernel(C, true)]) });
}

/** The full text of the generated TypeScript module. */
export function generate() {
  const bytes = buildModule();
  const b64 = Buffer.from(bytes).toString('base64');
  const lines = b64.match(/.{1,96}/g).map((l) => `  '${l}',`);
  return [
    '// Generated by tools/codegen/simd-planes.js; do not edit. Regenerate: npm run codegen:simd-planes -w tools',
    '',
    '/**',
    ` * WebAssembly module (${bytes.length} bytes, SIMD): exports \`memory\` and \`planes<C>\`, \`planes<C>_flip\` for`,
    ` * C = ${CHANNELS.join(', ')}: interleaved 8-bit pixels to normalized float32 planes, rows written forward or`,
    ' * mirrored. See the generator for the kernels and simd-planes.ts for their use.',
    ' */',
    'export const SIMD_PLANES_WASM = [',
    ...lines,
    "].join('');",
    '',
  ].join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { resolve } = await import('node:path');
  const { writeFileAtomic } = await import('@stereo-sdk/common');
  const out = resolve(fileURLToPath(new URL('../..', import.meta.url)), OUTPUT);
  await writeFileAtomic(out, generate());
  console.log(`wrote ${out}`);
}
