import { describe, it, expect } from 'vitest';
import { augmentSample, createRandom } from '@stereo-sdk/stereo';
import { correspondencesHold, shiftedSample } from './helpers.js';

describe('augmentSample', () => {
  it('crops, jitters and erases with one seeded stream, reproducibly', () => {
    const s = shiftedSample(64, 40, 4);
    const options = { crop: { width: 48, height: 32 }, color: true, occlusion: { probability: 1, minSize: 4, maxSize: 10 } };
    const a = augmentSample(s, options, createRandom(17));
    const b = augmentSample(s, options, createRandom(17));
    expect(Array.from(a.left.data)).toEqual(Array.from(b.left.data));
    expect(Array.from(a.right.data)).toEqual(Array.from(b.right.data));
    expect(Array.from(a.occlusion!.data)).toEqual(Array.from(b.occlusion!.data));
    expect([a.left.width, a.left.height, a.disparity!.width, a.valid!.height]).toEqual([48, 32, 48, 32]);
    expect(a.occlusion!.data.reduce((x, v) => x + v, 0)).toBeGreaterThan(0);
    const c = augmentSample(s, options, createRandom(18));
    expect(Array.from(c.right.data)).not.toEqual(Array.from(a.right.data));
  });

  it('keeps disparity aligned with the views through the crop', () => {
    const s = shiftedSample(64, 40, 4);
    const r = createRandom(3);
    for (let i = 0; i < 10; i++) expect(correspondencesHold(augmentSample(s, { crop: { width: 20, height: 12 } }, r))).toBe(true);
  });

  it('skips omitted steps', () => {
    const s = shiftedSample();
    expect(augmentSample(s, {}, 1)).toBe(s);
    expect(augmentSample(s, { crop: false, color: false, occlusion: false }, 1)).toBe(s);
  });
});
