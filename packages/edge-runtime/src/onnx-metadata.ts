/**
 * A tiny protobuf reader for the few parts of an ONNX `ModelProto` the runtime needs before it
 * creates a session: `metadata_props` (where the stereo contract lives; onnxruntime-node does not
 * expose it), the opset imports, and the graph's inputs and outputs with their shapes.
 *
 * Hand-rolled varint walking keeps the runtime free of a protobuf dependency. Large fields (nodes,
 * weights) are skipped by length, so reading a 100 MB model touches only a few kilobytes.
 * Field numbers are those of onnx.proto (ModelProto, GraphProto, ValueInfoProto, TypeProto).
 */
import { FileFormatError } from '@stereo-sdk/common';

/** One graph input or output as declared in the file. */
export interface OnnxValueInfo {
  name: string;
  /** Element type name in onnxruntime's spelling (`float32`, `float16`, `int64`, ...), or `unknown`. */
  type: string;
  /** Dimensions: a number when fixed, a string when symbolic (`'H'`, or `'?'` when unnamed). Empty when unknown. */
  shape: (number | string)[];
}

/** What {@link readOnnxModelInfo} extracts from an ONNX file. */
export interface OnnxModelInfo {
  irVersion: number;
  producerName: string;
  opsets: { domain: string; version: number }[];
  /** `metadata_props` as a key/value record. */
  metadata: Record<string, string>;
  /** Graph inputs that are fed at run time (initializers listed as inputs are left out). */
  inputs: OnnxValueInfo[];
  outputs: OnnxValueInfo[];
}

const ELEM_TYPES: Record<number, string> = {
  1: 'float32', 2: 'uint8', 3: 'int8', 4: 'uint16', 5: 'int16', 6: 'int32', 7: 'int64', 8: 'string',
  9: 'bool', 10: 'float16', 11: 'float64', 12: 'uint32', 13: 'uint64', 16: 'bfloat16',
};

const utf8 = new TextDecoder('utf-8', { fatal: false });

/** Thrown inside the reader; converted to a FileFormatError naming the file at the top. */
class Malformed extends Error {}

class Reader {
  pos: number;
  constructor(
    readonly buf: Uint8Array,
    start = 0,
    readonly end = buf.length,
  ) {
    this.pos = start;
  }

  get done(): boolean {
    return this.pos >= this.end;
  }

  /** Varints up to 64 bits; values past 2^53 lose precision, which no field read here cares about. */
  varint(): number {
    let result = 0;
    let mul = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new Malformed('truncated varint');
      const b = this.buf[this.pos++];
      result += (b & 0x7f) * mul;
      if ((b & 0x80) === 0) return result;
      mul *= 128;
    }
    throw new Malformed('varint longer than 10 bytes');
  }

  /** Returns [fieldNumber, wireType]. */
  tag(): [number, number] {
    const t = this.varint();
    const field = Math.floor(t / 8);
    const wire = t % 8;
    if (field === 0) throw new Malformed('field number 0');
    return [field, wire];
  }

  /** A length-delimited field as a sub-reader over the same bytes. */
  sub(): Reader {
    const len = this.varint();
    if (this.pos + len > this.end) throw new Malformed('length-delimited field runs past its parent');
    const r = new Reader(this.buf, this.pos, this.pos + len);
    this.pos += len;
    return r;
  }

  string(): string {
    const r = this.sub();
    return utf8.decode(this.buf.subarray(r.pos, r.end));
  }

  skip(wire: number): void {
    switch (wire) {
      case 0: this.varint(); return;
      case 1: this.pos += 8; break;
      case 2: this.sub(); return;
      case 5: this.pos += 4; break;
      default: throw new Malformed(`unsupported wire type ${wire}`);
    }
    if (this.pos > this.end) throw new Malformed('fixed-width field runs past its parent');
  }
}

/** Calls `visit(field, wire, reader)` for each field; `visit` returns false to have the field skipped. */
function walk(r: Reader, visit: (field: number, wire: number, r: Reader) => boolean): void {
  while (!r.done) {
    const [field, wire] = r.tag();
    if (!visit(field, wire, r)) r.skip(wire);
  }
}

function readStringPair(r: Reader): [string, string] {
  let key = '';
  let value = '';
  walk(r, (f, w, rr) => {
    if (w !== 2 || (f !== 1 && f !== 2)) return false;
    if (f === 1) key = rr.string();
    else value = rr.string();
    return true;
  });
  return [key, value];
}

function readOpset(r: Reader): { domain: string; version: number } {
  let domain = '';
  let version = 0;
  walk(r, (f, w, rr) => {
    if (f === 1 && w === 2) domain = rr.string();
    else if (f === 2 && w === 0) version = rr.varint();
    else return false;
    return true;
  });
  return { domain, version };
}

function readShape(r: Reader): (number | string)[] {
  const dims: (number | string)[] = [];
  walk(r, (f, w, rr) => {
    if (f !== 1 || w !== 2) return false;
    let dim: number | string = '?';
    walk(rr.sub(), (df, dw, dr) => {
      // dim_value = 1 (int64), dim_param = 2 (string); -1 and other huge values read as unknown.
      if (df === 1 && dw === 0) {
        const v = dr.varint();
        dim = v <= 0x7fffffff ? v : '?';
      } else if (df === 2 && dw === 2) dim = dr.string() || '?';
      else return false;
      return true;
    });
    dims.push(dim);
    return true;
  });
  return dims;
}

function readValueInfo(r: Reader): OnnxValueInfo {
  const info: OnnxValueInfo = { name: '', type: 'unknown', shape: [] };
  walk(r, (f, w, rr) => {
    if (f === 1 && w === 2) info.name = rr.string();
    else if (f === 2 && w === 2) {
      walk(rr.sub(), (tf, tw, tr) => {
        if (tf !== 1 || tw !== 2) return false; // only tensor_type
        walk(tr.sub(), (ef, ew, er) => {
          if (ef === 1 && ew === 0) info.type = ELEM_TYPES[er.varint()] ?? 'unknown';
          else if (ef === 2 && ew === 2) info.shape = readShape(er.sub());
          else return false;
          return true;
        });
        return true;
      });
    } else return false;
    return true;
  });
  return info;
}

function readTensorName(r: Reader): string {
  let name = '';
  walk(r, (f, w, rr) => {
    if (f !== 8 || w !== 2) return false;
    name = rr.string();
    return true;
  });
  return name;
}

function readGraph(r: Reader): { inputs: OnnxValueInfo[]; outputs: OnnxValueInfo[] } {
  const inputs: OnnxValueInfo[] = [];
  const outputs: OnnxValueInfo[] = [];
  const initializers = new Set<string>();
  walk(r, (f, w, rr) => {
    if (w !== 2) return false;
    if (f === 5) initializers.add(readTensorName(rr.sub()));
    else if (f === 11) inputs.push(readValueInfo(rr.sub()));
    else if (f === 12) outputs.push(readValueInfo(rr.sub()));
    else return false;
    return true;
  });
  return { inputs: inputs.filter((i) => !initializers.has(i.name)), outputs };
}

/**
 * Reads the metadata, opsets and graph I/O of an ONNX model without onnxruntime.
 * @param bytes - the whole `.onnx` file.
 * @param source - path or label used in error messages.
 * @returns the model's metadata props, opsets and run-time inputs/outputs.
 * @throws FileFormatError when the bytes are empty, not protobuf, or a protobuf without an ONNX graph.
 * @example
 * const info = readOnnxModelInfo(await readFile('student.onnx'), 'student.onnx');
 * console.log(info.metadata['stereo_sdk.contract'], info.inputs.map((i) => i.name));
 */
export function readOnnxModelInfo(bytes: Uint8Array, source: string): OnnxModelInfo {
  if (bytes.length === 0) throw new FileFormatError(source, 'empty file, not an ONNX model');
  const info: OnnxModelInfo = { irVersion: 0, producerName: '', opsets: [], metadata: {}, inputs: [], outputs: [] };
  let hasGraph = false;
  try {
    walk(new Reader(bytes), (f, w, r) => {
      if (f === 1 && w === 0) info.irVersion = r.varint();
      else if (f === 2 && w === 2) info.producerName = r.string();
      else if (f === 7 && w === 2) {
        Object.assign(info, readGraph(r.sub()));
        hasGraph = true;
      } else if (f === 8 && w === 2) info.opsets.push(readOpset(r.sub()));
      else if (f === 14 && w === 2) {
        const [k, v] = readStringPair(r.sub());
        info.metadata[k] = v;
      } else return false;
      return true;
    });
  } catch (err) {
    if (!(err instanceof Malformed)) throw err;
    throw new FileFormatError(source, `not an ONNX model (protobuf parse failed: ${err.message})`);
  }
  if (!hasGraph || info.irVersion === 0) {
    throw new FileFormatError(source, `not an ONNX model (no ${hasGraph ? 'ir_version' : 'graph'} field)`);
  }
  return info;
}
