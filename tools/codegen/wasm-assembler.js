/**
 * A minimal WebAssembly binary assembler: just enough (one memory, functions, exports, the scalar and
 * SIMD instructions listed in OPCODES) to write small numeric kernels without a toolchain, so the
 * edge runtime's kernels are generated reproducibly from readable source by `node` alone.
 * Instructions use the spec's text-format names (`f64x2.mul`, `i8x16.shuffle`).
 *
 * Reference: WebAssembly Core Specification 2.0, §5 (binary format) and the SIMD opcode table.
 */

/** Value types. */
export const i32 = 0x7f;
export const f64 = 0x7c;
export const v128 = 0x7b;

/** Opcode of each instruction: a byte, or [0xfd, n] for SIMD (n written as LEB128). */
const OPCODES = {
  block: 0x02,
  loop: 0x03,
  end: 0x0b,
  br: 0x0c,
  br_if: 0x0d,
  'local.get': 0x20,
  'local.set': 0x21,
  'local.tee': 0x22,
  'i32.load8_u': 0x2d,
  'f32.store': 0x38,
  'i32.const': 0x41,
  'i32.eqz': 0x45,
  'i32.add': 0x6a,
  'i32.sub': 0x6b,
  'i32.mul': 0x6c,
  'i32.and': 0x71,
  'i32.shr_u': 0x76,
  'f64.add': 0xa0,
  'f64.mul': 0xa2,
  'f32.demote_f64': 0xb6,
  'f64.convert_i32_u': 0xb8,
  'v128.load': [0xfd, 0],
  'v128.store': [0xfd, 11],
  'i8x16.shuffle': [0xfd, 13],
  'f64x2.splat': [0xfd, 20],
  'f32x4.demote_f64x2_zero': [0xfd, 94],
  'i16x8.extend_low_i8x16_u': [0xfd, 137],
  'i16x8.extend_high_i8x16_u': [0xfd, 138],
  'i32x4.extend_low_i16x8_u': [0xfd, 169],
  'i32x4.extend_high_i16x8_u': [0xfd, 170],
  'f64x2.add': [0xfd, 240],
  'f64x2.mul': [0xfd, 242],
  'f64x2.convert_low_i32x4_s': [0xfd, 254],
};

/** Instructions whose immediate is a memarg (alignment exponent, offset). */
const MEMORY = new Set(['i32.load8_u', 'f32.store', 'v128.load', 'v128.store']);

/** Unsigned LEB128. */
export function uleb(n) {
  const out = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

/** Signed LEB128 (for i32.const). */
export function sleb(n) {
  const out = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    if ((n === 0 && !(byte & 0x40)) || (n === -1 && byte & 0x40)) return [...out, byte];
    out.push(byte | 0x80);
  }
}

const vec = (items) => [...uleb(items.length), ...items.flat()];
const name = (s) => vec([...Buffer.from(s, 'utf8')]);
const section = (id, bytes) => [id, ...uleb(bytes.length), ...bytes];

/**
 * Encodes one instruction.
 * @param {string} mnemonic - text-format name, e.g. `'local.get'`
 * @param {...number|number[]} imm - immediates: an index or constant; `{ offset }` for memory
 *   instructions (alignment hint 0: the kernels make no alignment promise); 16 lane indices for
 *   `i8x16.shuffle`; nothing for `block`/`loop` (they take the empty block type).
 * @returns {number[]}
 */
export function ins(mnemonic, ...imm) {
  const code = OPCODES[mnemonic];
  if (code === undefined) throw new Error(`wasm-assembler: unknown instruction '${mnemonic}'`);
  const head = Array.isArray(code) ? [code[0], ...uleb(code[1])] : [code];
  if (mnemonic === 'block' || mnemonic === 'loop') return [...head, 0x40];
  if (MEMORY.has(mnemonic)) return [...head, 0, ...uleb(imm[0]?.offset ?? 0)];
  if (mnemonic === 'i8x16.shuffle') {
    const lanes = imm[0];
    if (lanes.length !== 16 || lanes.some((l) => !(l >= 0 && l < 32))) throw new Error(`i8x16.shuffle needs 16 lanes in 0..31, got ${lanes}`);
    return [...head, ...lanes];
  }
  if (mnemonic === 'i32.const') return [...head, ...sleb(imm[0])];
  return [...head, ...imm.flatMap((i) => uleb(i))];
}

/**
 * Assembles a module with one exported memory (`memory`, initially `pages` × 64 KiB) and exported functions.
 * @param {{ pages: number, functions: { name: string, params: number[], locals: number[], body: number[] }[] }} m
 *   functions return nothing; `body` is the concatenated instructions without the final `end`.
 * @returns {Uint8Array}
 */
export function assemble({ pages, functions }) {
  const types = functions.map((f) => [0x60, ...vec(f.params.map((t) => [t])), ...vec([])]);
  const codes = functions.map((f) => {
    // Locals as runs of equal types, in declaration order.
    const runs = [];
    for (const t of f.locals) {
      const last = runs[runs.length - 1];
      if (last && last[1] === t) last[0]++;
      else runs.push([1, t]);
    }
    const body = [...vec(runs.map(([n, t]) => [...uleb(n), t])), ...f.body, OPCODES.end];
    return [...uleb(body.length), ...body];
  });
  return Uint8Array.from([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec(types)),
    ...section(3, vec(functions.map((_, i) => uleb(i)))),
    ...section(5, vec([[0x00, ...uleb(pages)]])),
    ...section(7, vec([[...name('memory'), 0x02, 0], ...functions.map((f, i) => [...name(f.name), 0x00, ...uleb(i)])])),
    ...section(10, vec(codes)),
  ]);
}
