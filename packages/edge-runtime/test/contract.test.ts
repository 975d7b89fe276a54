import { describe, it, expect } from 'vitest';
import { CONTRACT_METADATA_KEY, ModelContractError, parseContract, writeContract } from '../src/index.js';
import { checkContract, inferContract, resolveContract } from '../src/contract.js';
import type { OnnxValueInfo } from '../src/onnx-metadata.js';

const minimal = {
  inputs: { layout: 'pair', left: 'left', right: 'right' },
  channels: 3,
  stride: 32,
  outputs: { disparity: 'disparity' },
};

const img = (name: string, c: number | string = 3, h: number | string = 'H', w: number | string = 'W'): OnnxValueInfo => ({
  name, type: 'float32', shape: [1, c, h, w],
});

describe('parseContract', () => {
  it('fills defaults for a minimal contract', () => {
    const c = parseContract(JSON.stringify(minimal));
    expect(c).toEqual({
      version: 1,
      inputs: { layout: 'pair', left: 'left', right: 'right' },
      channels: 3,
      colorOrder: 'rgb',
      normalization: { scale: 1, mean: [0, 0, 0], std: [1, 1, 1] },
      stride: 32,
      padding: 'replicate',
      size: { dynamic: true },
      outputs: { disparity: 'disparity' },
    });
  });

  it('keeps every optional field and broadcasts scalar mean/std', () => {
    const c = parseContract({
      ...minimal, version: 1, channels: 1, colorOrder: 'bgr', normalization: { scale: 255, mean: 100, std: [50] },
      padding: 'zero', maxDisparity: 192, size: { dynamic: false, width: 640, height: 480 },
      inputs: { layout: 'stacked', name: 'stereo' },
      outputs: { disparity: 'd', logits: { name: 'l', downsample: 4 } },
    });
    expect(c.normalization).toEqual({ scale: 255, mean: [100], std: [50] });
    expect(c.inputs).toEqual({ layout: 'stacked', name: 'stereo' });
    expect(c.size).toEqual({ dynamic: false, width: 640, height: 480 });
    expect(c.outputs.logits).toEqual({ name: 'l', downsample: 4 });
    expect(c.outputs.confidence).toBeUndefined();
    expect(c.maxDisparity).toBe(192);
    expect(c.padding).toBe('zero');
  });

  it.each([
    ['{not json', /not valid JSON/],
    [JSON.stringify({ ...minimal, version: 2 }), /version 2.*reads version 1/],
    [JSON.stringify({ ...minimal, inputs: undefined }), /field 'inputs' must be an object/],
    [JSON.stringify({ ...minimal, inputs: { layout: 'triple' } }), /field 'inputs.layout' must be one of "pair", "stacked"/],
    [JSON.stringify({ ...minimal, inputs: { layout: 'pair', left: 'a' } }), /field 'inputs.right' must be a non-empty tensor name \(got nothing\)/],
    [JSON.stringify({ ...minimal, inputs: { layout: 'pair', left: 'a', right: 'a' } }), /'inputs.right' must be different/],
    [JSON.stringify({ ...minimal, channels: 4 }), /field 'channels' must be one of 1, 3 \(got 4\)/],
    [JSON.stringify({ ...minimal, stride: 0 }), /field 'stride' must be an integer ≥ 1/],
    [JSON.stringify({ ...minimal, stride: undefined }), /field 'stride'/],
    [JSON.stringify({ ...minimal, normalization: { std: [1, 0, 1] } }), /field 'normalization.std'/],
    [JSON.stringify({ ...minimal, normalization: { mean: [1, 2] } }), /field 'normalization.mean'.*1 or 3/],
    [JSON.stringify({ ...minimal, size: { dynamic: false, width: 10 } }), /field 'size.height'/],
    [JSON.stringify({ ...minimal, outputs: {} }), /field 'outputs.disparity'/],
    [JSON.stringify({ ...minimal, outputs: { disparity: 'd', logits: { name: 'l' } } }), /field 'outputs.logits.downsample'/],
    [JSON.stringify({ ...minimal, outputs: { disparity: 'd', confidence: 'c' } }), /field 'outputs.confidence' must be an object \(got "c"\)/],
    [JSON.stringify({ ...minimal, outputs: { disparity: 'd', confidence: { downsample: 4 } } }), /field 'outputs.confidence.name' must be a non-empty tensor name \(got nothing\)/],
    [JSON.stringify({ ...minimal, outputs: { disparity: 'd', confidence: { name: '', downsample: 4 } } }), /field 'outputs.confidence.name'/],
    [JSON.stringify({ ...minimal, outputs: { disparity: 'd', confidence: { name: 'c' } } }), /field 'outputs.confidence.downsample' must be an integer ≥ 1 \(got nothing\)/],
    [JSON.stringify({ ...minimal, outputs: { disparity: 'd', confidence: { name: 'c', downsample: 0 } } }), /field 'outputs.confidence.downsample' must be an integer ≥ 1 \(got 0\)/],
    [JSON.stringify({ ...minimal, outputs: { disparity: 'd', confidence: { name: 'c', downsample: 2.5 } } }), /field 'outputs.confidence.downsample'.*\(got 2.5\)/],
    [JSON.stringify({ ...minimal, outputs: { disparity: 'd', confidence: { name: 'c', downsample: '4' } } }), /field 'outputs.confidence.downsample'.*\(got "4"\)/],
    [JSON.stringify({ ...minimal, outputs: { disparity: 'd', confidence: { name: 'd', downsample: 4 } } }), /field 'outputs.confidence.name' must be an output other than the disparity and logits/],
    [JSON.stringify({ ...minimal, outputs: { disparity: 'd', logits: { name: 'l', downsample: 4 }, confidence: { name: 'l', downsample: 4 } } }), /'outputs.confidence.name'/],
    ['[1,2]', /field '\(root\)' must be an object/],
  ])('rejects %s with a message naming the field', (json, message) => {
    expect(() => parseContract(json, 'm.onnx')).toThrow(ModelContractError);
    expect(() => parseContract(json, 'm.onnx')).toThrow(message);
    try {
      parseContract(json, 'm.onnx');
    } catch (err) {
      expect((err as ModelContractError).code).toBe('ERR_MODEL_CONTRACT');
      expect((err as Error).message.startsWith('m.onnx: ')).toBe(true);
    }
  });
});

describe('outputs.confidence', () => {
  it('parses alongside the logits and round-trips through writeContract', () => {
    const outputs = { disparity: 'disparity', logits: { name: 'logits', downsample: 4 }, confidence: { name: 'confidence', downsample: 4 } };
    const c = parseContract(JSON.stringify({ ...minimal, outputs }));
    expect(c.outputs).toEqual(outputs);
    expect(parseContract(writeContract({ ...minimal, outputs } as never).value).outputs).toEqual(outputs);
    // Without logits too; an old contract (no confidence field) still parses, without one.
    expect(parseContract({ ...minimal, outputs: { disparity: 'd', confidence: { name: 'c', downsample: 1 } } }).outputs).toEqual({ disparity: 'd', confidence: { name: 'c', downsample: 1 } });
    expect(parseContract({ ...minimal, outputs: { disparity: 'd', logits: { name: 'l', downsample: 4 } } }).outputs).toEqual({ disparity: 'd', logits: { name: 'l', downsample: 4 } });
  });

  it('must name a single-channel output of the graph', () => {
    const contract = parseContract({ ...minimal, outputs: { disparity: 'disparity', confidence: { name: 'conf', downsample: 4 } } });
    const io = (conf: OnnxValueInfo[]) => ({ inputs: [img('left'), img('right')], outputs: [img('disparity', 1), ...conf] });
    expect(checkContract(contract, io([img('conf', 1, 'h', 'w')]), 'm')).toBe(contract);
    expect(checkContract(contract, io([{ name: 'conf', type: 'float32', shape: [1, 'h', 'w'] }]), 'm')).toBe(contract);
    expect(() => checkContract(contract, io([]), 'm')).toThrow(/output 'conf' not found \(graph outputs: disparity float32 \[1,1,H,W\]\)/);
    expect(() => checkContract(contract, io([img('conf', 48, 'h', 'w')]), 'm')).toThrow(/confidence output conf float32 \[1,48,h,w\] must be float32 \[N,1,h,w\] or \[N,h,w\]/);
    expect(() => checkContract(contract, io([{ name: 'conf', type: 'float16', shape: [1, 1, 'h', 'w'] }]), 'm')).toThrow(/must be float32/);
  });
});

describe('writeContract', () => {
  it('returns the metadata key and a JSON value that parses back to the same contract', () => {
    const { key, value } = writeContract({ ...minimal, channels: 3, inputs: { layout: 'pair', left: 'l', right: 'r' } });
    expect(key).toBe(CONTRACT_METADATA_KEY);
    expect(key).toBe('stereo_sdk.contract');
    expect(parseContract(value)).toEqual(parseContract(JSON.parse(value)));
    expect(JSON.parse(value).inputs).toEqual({ layout: 'pair', left: 'l', right: 'r' });
  });

  it('validates before writing', () => {
    expect(() => writeContract({ ...minimal, stride: -1 } as never)).toThrow(/stride/);
  });
});

describe('checkContract', () => {
  const contract = parseContract(minimal);
  it('accepts a matching graph and adopts a fixed graph size', () => {
    expect(checkContract(contract, { inputs: [img('left'), img('right')], outputs: [img('disparity', 1)] }, 'm').size).toEqual({ dynamic: true });
    const fixed = checkContract(contract, { inputs: [img('left', 3, 48, 64), img('right', 3, 48, 64)], outputs: [img('disparity', 1)] }, 'm');
    expect(fixed.size).toEqual({ dynamic: false, width: 64, height: 48 });
  });

  it('names a missing input or output, or a wrong channel count', () => {
    expect(() => checkContract(contract, { inputs: [img('left'), img('R')], outputs: [img('disparity', 1)] }, 'm')).toThrow(/input 'right' not found \(graph inputs: left float32 \[1,3,H,W\]; R/);
    expect(() => checkContract(contract, { inputs: [img('left'), img('right')], outputs: [img('disp', 1)] }, 'm')).toThrow(/output 'disparity' not found/);
    expect(() => checkContract(contract, { inputs: [img('left', 1), img('right', 1)], outputs: [img('disparity', 1)] }, 'm')).toThrow(/has 1 channels, the contract implies 3/);
    const stacked = parseContract({ ...minimal, inputs: { layout: 'stacked', name: 'x' } });
    expect(() => checkContract(stacked, { inputs: [img('x', 3)], outputs: [img('disparity', 1)] }, 'm')).toThrow(/implies 6/);
  });
});

describe('inferContract', () => {
  it('infers a pair model, preferring names over order', () => {
    const c = inferContract({ inputs: [img('right_image', 1), img('left_image', 1)], outputs: [img('feat', 8), img('disp_out', 1), img('logits', 24, 'h', 'w')] }, 'm');
    expect(c.inputs).toEqual({ layout: 'pair', left: 'left_image', right: 'right_image' });
    expect(c.channels).toBe(1);
    expect(c.outputs.disparity).toBe('disp_out');
    expect(c.outputs.logits?.name).toBe('logits');
    expect(c.stride).toBe(32);
    expect(c.normalization).toEqual({ scale: 1, mean: [0], std: [1] });
  });

  it('reads a fixed size and a logits downsample from numeric shapes; accepts [N,H,W] disparity', () => {
    const c = inferContract({
      inputs: [img('a', 3, 64, 96), img('b', 3, 64, 96)],
      outputs: [{ name: 'out', type: 'float32', shape: [1, 64, 96] }, img('logits', 48, 16, 24)],
    }, 'm');
    expect(c.size).toEqual({ dynamic: false, width: 96, height: 64 });
    expect(c.stride).toBe(1);
    expect(c.outputs).toEqual({ disparity: 'out', logits: { name: 'logits', downsample: 4 } });
  });

  it('takes a single-channel output named like "conf" as the confidence, never as the disparity', () => {
    const c = inferContract({ inputs: [img('a', 3, 64, 96), img('b', 3, 64, 96)], outputs: [img('confidence', 1, 16, 24), img('out', 1, 64, 96), img('logits', 48, 16, 24)] }, 'm');
    expect(c.outputs).toEqual({ disparity: 'out', logits: { name: 'logits', downsample: 4 }, confidence: { name: 'confidence', downsample: 4 } });
    const only = inferContract({ inputs: [img('a'), img('b')], outputs: [img('disp', 1)] }, 'm');
    expect(only.outputs.confidence).toBeUndefined();
  });

  it.each([
    [{ inputs: [img('x')], outputs: [img('y', 1)] }, /has 1 input\(s\) where two image inputs/],
    [{ inputs: [img('a'), { name: 'b', type: 'int64', shape: [1, 3, 'H', 'W'] }], outputs: [img('y', 1)] }, /not both float32/],
    [{ inputs: [img('a', 1), img('b', 3)], outputs: [img('y', 1)] }, /different channel counts/],
    [{ inputs: [img('a'), img('b')], outputs: [img('y', 3)] }, /no output has the shape of a disparity map/],
  ])('explains what is missing (%#)', (io, message) => {
    expect(() => inferContract(io as never, 'm.onnx')).toThrow(message);
    expect(() => inferContract(io as never, 'm.onnx')).toThrow(/no 'stereo_sdk.contract' metadata.*Inputs: .*Outputs: .*writeContract/);
  });
});

describe('resolveContract', () => {
  it('uses metadata when present and inference otherwise', () => {
    const io = { inputs: [img('left'), img('right')], outputs: [img('disparity', 1)] };
    expect(resolveContract({ ...io, metadata: {} }, 'm').origin).toBe('inferred');
    const r = resolveContract({ ...io, metadata: { [CONTRACT_METADATA_KEY]: JSON.stringify({ ...minimal, stride: 16 }) } }, 'm');
    expect(r.origin).toBe('metadata');
    expect(r.contract.stride).toBe(16);
  });
});
