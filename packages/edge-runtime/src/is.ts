/**
 * Argument checks for public API boundaries, in one place so every message reads the same.
 * Modelled on sharp's `lib/is.js`: predicates plus one error factory.
 */
import { InvalidParameterError } from './errors.js';

export const defined = <T>(v: T | undefined | null): v is T => v !== undefined && v !== null;
export const bool = (v: unknown): v is boolean => typeof v === 'boolean';
export const number = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
export const integer = (v: unknown): v is number => Number.isInteger(v);
export const string = (v: unknown): v is string => typeof v === 'string' && v.length > 0;
export const inRange = (v: number, lo: number, hi: number): boolean => v >= lo && v <= hi;
export const plainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === Object.prototype;
export const typedArray = (v: unknown): v is ArrayBufferView => ArrayBuffer.isView(v) && !(v instanceof DataView);

function describe(actual: unknown): string {
  if (typeof actual === 'string') return `'${actual}'`;
  if (actual === null) return 'null';
  if (Array.isArray(actual)) return `array of length ${actual.length}`;
  if (ArrayBuffer.isView(actual)) return `${actual.constructor.name} of length ${(actual as Uint8Array).length}`;
  if (typeof actual === 'object') return 'object';
  return `${typeof actual} ${String(actual)}`;
}

/** Builds the error every boundary check throws: `Expected <expected> for <name> but received <actual>`. */
export function invalidParameterError(name: string, expected: string, actual: unknown): InvalidParameterError {
  return new InvalidParameterError(`Expected ${expected} for ${name} but received ${describe(actual)}`);
}

/** Throws unless `v` is an integer in [lo, hi]. */
export function assertInteger(name: string, v: unknown, lo = -Infinity, hi = Infinity): asserts v is number {
  if (!integer(v) || !inRange(v, lo, hi)) throw invalidParameterError(name, `an integer in [${lo}, ${hi}]`, v);
}

/** Throws unless `v` is a finite number in [lo, hi]. */
export function assertNumber(name: string, v: unknown, lo = -Infinity, hi = Infinity): asserts v is number {
  if (!number(v) || !inRange(v, lo, hi)) throw invalidParameterError(name, `a number in [${lo}, ${hi}]`, v);
}

/** Throws unless `v` is one of `choices`. */
export function assertOneOf<T extends string>(name: string, v: unknown, choices: readonly T[]): asserts v is T {
  if (typeof v !== 'string' || !choices.includes(v as T)) throw invalidParameterError(name, `one of ${choices.join(', ')}`, v);
}

/** Throws unless `v` is a non-empty string. */
export function assertString(name: string, v: unknown): asserts v is string {
  if (!string(v)) throw invalidParameterError(name, 'a non-empty string', v);
}

/** Throws unless `v` is a boolean. */
export function assertBoolean(name: string, v: unknown): asserts v is boolean {
  if (!bool(v)) throw invalidParameterError(name, 'a boolean', v);
}

/** Throws unless `v` is a plain object. */
export function assertObject(name: string, v: unknown): asserts v is Record<string, unknown> {
  if (!plainObject(v)) throw invalidParameterError(name, 'a plain object', v);
}
