/** Learning-rate schedules against PyTorch's schedulers (ported step by step, not closed forms). */
import { describe, expect, it } from 'vitest';
import { InvalidParameterError } from '../../src/errors.js';
import { learningRateAt } from '../../src/train/schedule.js';

/** PyTorch OneCycleLR.get_lr (anneal 'cos', two phases), stepped from last_epoch = 0. */
function torchOneCycle(maxLr: number, total: number, pct = 0.3, div = 25, finalDiv = 1e4): number[] {
  const initial = maxLr / div;
  const min = initial / finalDiv;
  const phases = [
    { end: pct * total - 1, start: initial, stop: maxLr },
    { end: total - 1, start: maxLr, stop: min },
  ];
  const cos = (a: number, b: number, p: number) => b + ((a - b) / 2) * (Math.cos(Math.PI * p) + 1);
  const out: number[] = [];
  for (let step = 0; step < total; step++) {
    let start = 0;
    for (let i = 0; i < phases.length; i++) {
      const ph = phases[i]!;
      if (step <= ph.end || i === phases.length - 1) {
        out.push(cos(ph.start, ph.stop, (step - start) / (ph.end - start)));
        break;
      }
      start = ph.end;
    }
  }
  return out;
}

/** PyTorch CosineAnnealingLR's recursive update (what `.step()` computes), for t ≤ T_max. */
function torchCosine(base: number, tMax: number, etaMin: number): number[] {
  const out = [base];
  for (let t = 1; t <= tMax; t++) {
    const prev = out[t - 1]!;
    out.push(((1 + Math.cos((Math.PI * t) / tMax)) / (1 + Math.cos((Math.PI * (t - 1)) / tMax))) * (prev - etaMin) + etaMin);
  }
  return out;
}

describe('learningRateAt', () => {
  it('constant keeps the base lr', () => {
    expect([0, 1, 1000].map((s) => learningRateAt({ type: 'constant' }, 0.1, s))).toEqual([0.1, 0.1, 0.1]);
    expect(learningRateAt(undefined, 0.1, 5)).toBe(0.1);
  });

  it('cosine follows CosineAnnealingLR and stays at eta_min past T_max', () => {
    const ref = torchCosine(0.1, 20, 0.001);
    for (let t = 0; t <= 20; t++) expect(learningRateAt({ type: 'cosine', totalSteps: 20, minLr: 0.001 }, 0.1, t)).toBeCloseTo(ref[t]!, 12);
    expect(learningRateAt({ type: 'cosine', totalSteps: 20, minLr: 0.001 }, 0.1, 35)).toBeCloseTo(0.001, 12);
  });

  it('one-cycle follows OneCycleLR', () => {
    for (const [total, pct] of [[100, 0.3], [37, 0.25]] as const) {
      const ref = torchOneCycle(0.02, total, pct);
      for (let t = 0; t < total; t++) expect(learningRateAt({ type: 'oneCycle', totalSteps: total, pctStart: pct }, 0.02, t)).toBeCloseTo(ref[t]!, 12);
    }
    const s = { type: 'oneCycle', totalSteps: 100 } as const;
    expect(learningRateAt(s, 0.02, 0)).toBeCloseTo(0.02 / 25, 12);
    expect(learningRateAt(s, 0.02, 29)).toBeCloseTo(0.02, 12);
    expect(learningRateAt(s, 0.02, 99)).toBeCloseTo(0.02 / 25 / 1e4, 12);
  });

  it('linear warmup ramps up, then the main schedule runs over the remaining steps (SequentialLR)', () => {
    const s = { type: 'cosine', totalSteps: 30, warmupSteps: 10, warmupStartFactor: 0.1 } as const;
    expect(learningRateAt(s, 1, 0)).toBeCloseTo(0.1, 12);
    expect(learningRateAt(s, 1, 5)).toBeCloseTo(0.55, 12);
    const ref = torchCosine(1, 20, 0);
    for (let t = 10; t <= 30; t++) expect(learningRateAt(s, 1, t)).toBeCloseTo(ref[t - 10]!, 12);
    expect(learningRateAt({ type: 'constant', warmupSteps: 4 }, 2, 2)).toBeCloseTo(2 * (0.01 + (0.99 * 2) / 4), 12);
    expect(learningRateAt({ type: 'constant', warmupSteps: 4 }, 2, 4)).toBe(2);
    const oc = torchOneCycle(0.5, 40);
    expect(learningRateAt({ type: 'oneCycle', totalSteps: 50, warmupSteps: 10 }, 0.5, 25)).toBeCloseTo(oc[15]!, 12);
  });

  it('rejects bad schedules and steps with the field name', () => {
    expect(() => learningRateAt({ type: 'cosine', totalSteps: 0 }, 0.1, 0)).toThrow(/schedule.totalSteps/);
    expect(() => learningRateAt({ type: 'cosine', totalSteps: 10, warmupSteps: 10 }, 0.1, 0)).toThrow(InvalidParameterError);
    expect(() => learningRateAt({ type: 'linear' } as never, 0.1, 0)).toThrow(/schedule.type/);
    expect(() => learningRateAt({ type: 'oneCycle', totalSteps: 10, pctStart: 1 }, 0.1, 0)).toThrow(/pctStart/);
    expect(() => learningRateAt({ type: 'constant' }, 0.1, -1)).toThrow(/step/);
    expect(() => learningRateAt({ type: 'constant' }, 0, 1)).toThrow(/lr/);
  });
});
