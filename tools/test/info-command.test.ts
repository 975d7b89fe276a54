import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { encodeOnnx, GraphBuilder } from '@stereo-sdk/core';
import { runCli, writeModel, writeNonStereoModel } from './helpers/fixtures.js';

let tmp: string;

beforeAll(async () => {
  tmp = await fsp.mkdtemp(path.join(os.tmpdir(), 'info-cli-'));
});
afterAll(async () => {
  await fsp.rm(tmp, { recursive: true, force: true });
});

const run = (...args: string[]) => runCli('info', ...args);

/** A convolutional "stereo" model without metadata: concat(left, right) → Conv 6→4 (3×3) → Conv 4→1 (1×1). */
async function writeConvModel(file: string): Promise<string> {
  const b = new GraphBuilder({ seed: 1 });
  const l = b.input('left', 'float32', [1, 3, 'H', 'W']);
  const r = b.input('right', 'float32', [1, 3, 'H', 'W']);
  const h = b.relu(b.conv(b.concat([l, r], 1), 4, { kernel: 3, padding: 1 }));
  b.output(b.conv(h, 1, { kernel: 1 }), 'disparity');
  await fsp.writeFile(file, encodeOnnx(b.build()));
  return file;
}

describe('stereo-sdk info', () => {
  it('lists I/O, the contract from metadata and the parameters', async () => {
    const model = await writeModel(path.join(tmp, 'bm.onnx'), { maxDisp: 6 });
    const r = await run(model);
    expect(r.code).toBe(0);
    expect(r.outText).toMatch(/^model: .*bm\.onnx \([\d.]+ MB, IR 10, opset ai\.onnx 20, producer edge-runtime-tests\)/);
    expect(r.outText).toMatch(/inputs:\n {2}left +float32 \[1,3,H,W\]\n {2}right +float32 \[1,3,H,W\]\noutputs:\n {2}disparity +float32 \[1,1,H,W\]\n {2}logits +float32 \[1,6,H,W\]/);
    expect(r.outText).toContain('contract (from the model metadata):');
    expect(r.outText).toContain("outputs: disparity 'disparity', logits 'logits' at 1/1");
    expect(r.outText).toContain('size: any, padded to a multiple of 8 (replicate)');
    expect(r.outText).toContain('max disparity: 5 px');
    // neg_beta (1) + the disparity values (6): the block matcher has no learned weights.
    expect(r.outText).toContain('parameters: 7 (7)');
    expect(r.outText).toMatch(/compute at 1242x375 \(tensor 1248x376\): 0 multiply-accumulates/);
  });

  it('counts the MACs of convolutions at the padded tensor size of an inferred contract', async () => {
    const model = await writeConvModel(path.join(tmp, 'conv.onnx'));
    const json = path.join(tmp, 'conv.json');
    const r = await run(model, '--preset', '100x50', '--json', json);
    expect(r.errText).toBe('');
    expect(r.code).toBe(0);
    expect(r.outText).toContain('contract (inferred from the inputs and outputs):');
    // Inferred contracts pad to 32: 100x50 → 128x64.
    const pixels = 128 * 64;
    const macs = pixels * 4 * 6 * 9 + pixels * 1 * 4;
    const report = JSON.parse(await fsp.readFile(json, 'utf8'));
    expect(report.params).toBe(4 * 6 * 9 + 4 + 4 + 1);
    expect(report.cost).toMatchObject({ width: 100, height: 50, tensorWidth: 128, tensorHeight: 64, macs });
    expect(report.contractOrigin).toBe('inferred');
    expect(r.outText).toContain(`compute at 100x50 (tensor 128x64): ${(macs / 1e6).toPrecision(3)} M multiply-accumulates`);
  });

  it('describes an ONNX model the runtime cannot drive, and says why', async () => {
    const model = await writeNonStereoModel(path.join(tmp, 'relu.onnx'));
    const r = await run(model);
    expect(r.code).toBe(0);
    expect(r.outText).toMatch(/contract: none; the runtime cannot drive this model: .*relu\.onnx: /);
    expect(r.outText).toContain('parameters: 0');
    expect(r.outText).toContain('compute: not counted (no stereo contract, so the input size is unknown)');
  });

  it.each([
    ['a missing file', () => [path.join(tmp, 'missing.onnx')], /missing\.onnx: model not found/],
    ['a file that is not ONNX', () => [path.join(tmp, 'text.onnx')], /text\.onnx: not an ONNX model/],
    ['an unknown preset', () => [path.join(tmp, 'bm.onnx'), '--preset', 'huge'], /for --preset but received 'huge'/],
  ])('rejects %s with one error line', async (_name, args, message) => {
    await fsp.writeFile(path.join(tmp, 'text.onnx'), 'hello, not a protobuf\n'.repeat(4));
    const r = await run(...args());
    expect(r.code).toBe(1);
    expect(r.errText.trim().split('\n')).toHaveLength(1);
    expect(r.errText).toMatch(message);
  });
});
