/** Tensor helpers; float16 conversion checked against onnxruntime's Cast. */
import { describe, expect, it } from 'vitest';
import { attr, float16ToFloat32, float32ToFloat16, Graph, makeTensor, tensorToNumbers } from '../../src/graph/index.js';
import { InvalidParameterError } from '../../src/errors.js';
import { runGraph } from './helpers.js';

describe('tensors', () => {
  it('convert float32 to float16 bits exactly as ORT Cast does, and back', async () => {
    const values = [0, -0, 1, -2.5, 65504, 65520, 1e6, -1e6, 6.1e-5, 5.96e-8, 3e-8, 2.98e-8, 1 / 3, Math.PI, 0.1, 2049, 2051, 1e-3, -7.5e-6, Infinity, -Infinity];
    for (let i = 0; i < 200; i++) values.push(Math.fround(Math.sin(i * 12.9898) * 10 ** ((i % 13) - 6)));
    const g = new Graph();
    g.addInput('x', { dtype: 'float32', shape: [values.length] });
    g.addNode({ opType: 'Cast', inputs: ['x'], outputs: ['h'], attributes: { to: attr.int(10) } });
    g.addOutput('h');
    const out = await runGraph(g, { x: makeTensor('float32', [values.length], new Float32Array(values)) });
    const ours = values.map(float32ToFloat16);
    expect(ours).toEqual([...(out['h']!.data as Uint16Array)]);
    expect(Number.isNaN(float16ToFloat32(float32ToFloat16(NaN)))).toBe(true);
    for (const bits of ours) expect(float32ToFloat16(float16ToFloat32(bits))).toBe(bits);
  });

  it('build from numbers in each storage class and check element counts', () => {
    expect(makeTensor('int64', [2], [3, -4]).data).toEqual(new BigInt64Array([3n, -4n]));
    expect(makeTensor('bool', [3], [0, 2, 1]).data).toEqual(new Uint8Array([0, 1, 1]));
    expect(tensorToNumbers(makeTensor('float16', [2], [1.5, -2]))).toEqual([1.5, -2]);
    expect(() => makeTensor('float32', [2, 2], [1, 2, 3])).toThrow(InvalidParameterError);
    expect(() => makeTensor('float32', [2], new Int32Array(2))).toThrow(/cannot be stored in a Int32Array/);
  });
});
