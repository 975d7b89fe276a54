import { describe, it, expect } from 'vitest';
import { FileFormatError, readOnnxModelInfo } from '../src/index.js';
import { buildBlockMatchingModel, buildSingleInputModel } from './fixtures/stereo-model.js';

describe('readOnnxModelInfo', () => {
  it('reads metadata_props, opsets and the graph I/O of a model written by onnx-proto', () => {
    const bytes = buildBlockMatchingModel({ metadata: { a: '1', 'stereo_sdk.contract': '{"x":"é"}' }, fixedSize: { width: 40, height: 20 } });
    const info = readOnnxModelInfo(bytes, 'm.onnx');
    expect(info.irVersion).toBe(10);
    expect(info.producerName).toBe('edge-runtime-tests');
    expect(info.opsets).toEqual([{ domain: '', version: 20 }]);
    expect(info.metadata).toEqual({ a: '1', 'stereo_sdk.contract': '{"x":"é"}' });
    expect(info.inputs).toEqual([
      { name: 'left', type: 'float32', shape: [1, 3, 20, 40] },
      { name: 'right', type: 'float32', shape: [1, 3, 20, 40] },
    ]);
    expect(info.outputs.map((o) => o.name)).toEqual(['disparity', 'logits']);
    expect(info.outputs[1].shape).toEqual([1, 8, 20, 40]);
  });

  it('keeps symbolic dimensions and leaves initializers out of the inputs', () => {
    const info = readOnnxModelInfo(buildBlockMatchingModel({ layout: 'stacked' }), 'm');
    expect(info.inputs).toEqual([{ name: 'stereo', type: 'float32', shape: [1, 6, 'H', 'W'] }]);
    expect(readOnnxModelInfo(buildSingleInputModel(), 'm').metadata).toEqual({});
  });

  it.each([
    ['empty', new Uint8Array(0), /empty file/],
    ['text', new TextEncoder().encode('hello, this is not a model at all'), /not an ONNX model/],
    ['png signature', new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), /not an ONNX model/],
    ['truncated model', buildSingleInputModel().subarray(0, 40), /not an ONNX model/],
    ['protobuf without a graph', new Uint8Array([0x08, 0x07]), /no graph field/],
  ])('rejects %s with a FileFormatError naming the file', (_, bytes, message) => {
    expect(() => readOnnxModelInfo(bytes, 'bad.onnx')).toThrow(FileFormatError);
    expect(() => readOnnxModelInfo(bytes, 'bad.onnx')).toThrow(message);
    expect(() => readOnnxModelInfo(bytes, 'bad.onnx')).toThrow(/^bad\.onnx: /);
  });
});
