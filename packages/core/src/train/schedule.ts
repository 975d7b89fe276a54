/**
 * Learning-rate schedules, evaluated in JS before each step and fed to the graph as a scalar input.
 * Each follows the PyTorch scheduler it names, stepped once per optimizer step.
 */
import * as is from '../is.js';
import type { ScheduleConfig } from './types.js';

/** A schedule with defaults filled in. */
export type ResolvedSchedule =
  | { type: 'constant'; warmupSteps: number; warmupStartFactor: number }
  | { type: 'cosine'; totalSteps: number; minLr: number; warmupSteps: number; warmupStartFactor: number }
  | { type: 'oneCycle'; totalSteps: number; pctStart: number; divFactor: number; finalDivFactor: number; warmupSteps: number; warmupStartFactor: number };

/** Schedule defaults (PyTorch's for one-cycle). */
const DEFAULTS = { warmupSteps: 0, warmupStartFactor: 0.01, minLr: 0, pctStart: 0.3, divFactor: 25, finalDivFactor: 1e4 };

/**
 * Checks a schedule config and fills its defaults.
 * @param cfg the schedule; default constant
 * @throws InvalidParameterError naming the bad field
 */
export function resolveSchedule(cfg: ScheduleConfig | undefined): ResolvedSchedule {
  const c = cfg ?? { type: 'constant' };
  if (!is.plainObject(c)) throw is.invalidParameterError('schedule', 'an object like { type: "cosine", totalSteps: 1000 }', c);
  is.assertOneOf('schedule.type', c.type, ['constant', 'cosine', 'oneCycle']);
  const warmupSteps = c.warmupSteps ?? DEFAULTS.warmupSteps;
  is.assertInteger('schedule.warmupSteps', warmupSteps, 0);
  const warmupStartFactor = c.warmupStartFactor ?? DEFAULTS.warmupStartFactor;
  is.assertNumber('schedule.warmupStartFactor', warmupStartFactor, 0, 1);
  if (c.type === 'constant') return { type: 'constant', warmupSteps, warmupStartFactor };
  is.assertInteger('schedule.totalSteps', c.totalSteps, warmupSteps + 1);
  if (c.type === 'cosine') {
    const minLr = c.minLr ?? DEFAULTS.minLr;
    is.assertNumber('schedule.minLr', minLr, 0);
    return { type: 'cosine', totalSteps: c.totalSteps, minLr, warmupSteps, warmupStartFactor };
  }
  const pctStart = c.pctStart ?? DEFAULTS.pctStart;
  is.assertNumber('schedule.pctStart', pctStart, Number.MIN_VALUE, 1 - Number.EPSILON);
  const divFactor = c.divFactor ?? DEFAULTS.divFactor;
  is.assertNumber('schedule.divFactor', divFactor, 1);
  const finalDivFactor = c.finalDivFactor ?? DEFAULTS.finalDivFactor;
  is.assertNumber('schedule.finalDivFactor', finalDivFactor, 1);
  return { type: 'oneCycle', totalSteps: c.totalSteps, pctStart, divFactor, finalDivFactor, warmupSteps, warmupStartFactor };
}

const cosineAnneal = (start: number, end: number, pct: number): number => end + ((start - end) / 2) * (1 + Math.cos(Math.PI * pct));

/** The main schedule's lr at its own step `t` (0-based) over `n` steps. */
function mainLr(s: ResolvedSchedule, lr: number, t: number, n: number): number {
  switch (s.type) {
    case 'constant':
      return lr;
    case 'cosine':
      // PyTorch's closed form; past T_max the lr stays at eta_min instead of rising again.
      return s.minLr + ((lr - s.minLr) * (1 + Math.cos(Math.PI * Math.min(t, n) / n))) / 2;
    case 'oneCycle': {
      const initial = lr / s.divFactor;
      const final = initial / s.finalDivFactor;
      const peak = s.pctStart * n - 1;
      const last = n - 1;
      const step = Math.min(t, last);
      if (step <= peak) return cosineAnneal(initial, lr, peak > 0 ? step / peak : 1);
      return cosineAnneal(lr, final, (step - peak) / (last - peak));
    }
  }
}

/**
 * The learning rate of a step.
 * @param schedule the schedule (validated with defaults by `resolveSchedule`)
 * @param lr the optimizer's base (peak) learning rate, > 0
 * @param step 0-based index of the step about to run, >= 0; past `totalSteps` the last lr is kept
 * @returns the learning rate
 * @throws InvalidParameterError on a bad schedule or step
 * @example learningRateAt({ type: 'cosine', totalSteps: 100, warmupSteps: 10 }, 1e-3, 5);
 */
export function learningRateAt(schedule: ScheduleConfig | ResolvedSchedule | undefined, lr: number, step: number): number {
  const s = resolveSchedule(schedule);
  is.assertNumber('lr', lr, Number.MIN_VALUE);
  is.assertInteger('step', step, 0);
  const w = s.warmupSteps;
  if (step < w) return lr * (s.warmupStartFactor + ((1 - s.warmupStartFactor) * step) / w);
  return mainLr(s, lr, step - w, s.type === 'constant' ? 1 : s.totalSteps - w);
}
