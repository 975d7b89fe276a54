/**
 * Argument checks for public API boundaries, in one place so every message reads the same.
 * Modelled on sharp's `lib/is.js`: predicates plus one error factory, exported as the `is` namespace.
 */
import { InvalidParameterError } from './errors.js';

/** True unless `v` is `undefined` or `null`. */
export const defined = <T>(v: T | undefined | null): v is T => v !== undefined && v !== null;
/** True for `true` and `false` only. */
export const bool = (v: unknown): v is boolean => typeof v === 'boolean';
/** True for finite numbers (not `NaN`, not `±Infinity`). */
export const number = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
/** True for integral numbers. */
export const integer = (v: unknown): v is number => Number.isInteger(v);
/** True for non-empty strings. */
export const string = (v: unknown): v is string => typeof v === 'string' && v.length > 0;
/** True when `lo <= v <= hi`. */
export const inRange = (v: number, lo: number, hi: number): boolean => v >= lo && v <= hi;
/** True for `{...}` literals and `Object.create(Object.prototype)`, not for arrays, class instances or null. */
export const plainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === Object.prototype;
/** True for typed arrays (`Float32Array`, `Uint8Array`, ...), not for `DataView`. */
export const typedArray = (v: unknown): v is ArrayBufferView => ArrayBuffer.isView(v) && !(v instanceof DataView);

/** Short description of a received value for error messages; never dumps a whole array or object. */
function describe(actual: unknown): string {
  if (typeof actual === 'string') return `'${actual}'`;
  if (actual === null) return 'null';
  if (Array.isArray(actual)) return `array of length ${actual.length}`;
  if (ArrayBuffer.isView(actual)) return `${actual.constructor.name} of length ${(actual as Uint8Array).length}`;
  if (typeof actual === 'object') return 'object';
  return `${typeof actual} ${String(actual)}`;
}

/**
 * Builds the error every boundary check throws: `Expected <expected> for <name> but received <actual>`.
 * @param name - the parameter's name as the caller wrote it, e.g. `options.maxDisp`.
 * @param expected - the documented domain, e.g. `an integer in [1, 512]`.
 * @param actual - the value received; described briefly (type and value, or length for arrays).
 * @returns the error, for the caller to throw.
 * @example
 * if (!is.plainObject(options)) throw is.invalidParameterError('options', 'a plain object', options);
 */
export function invalidParameterError(name: string, expected: string, actual: unknown): InvalidParameterError {
  return new InvalidParameterError(`Expected ${expected} for ${name} but received ${describe(actual)}`);
}

/**
 * Throws unless `v` is an integer in [lo, hi].
 * @param name - parameter name for the message.
 * @param v - value to check.
 * @param lo - inclusive lower bound; default -Infinity.
 * @param hi - inclusive upper bound; default Infinity.
 * @throws InvalidParameterError when `v` is not an integer or is out of range.
 * @example
 * is.assertInteger('width', width, 1, 8192);
 */
export function assertInteger(name: string, v: unknown, lo = -Infinity, hi = Infinity): asserts v is number {
  if (!integer(v) || !inRange(v, lo, hi)) throw invalidParameterError(name, `an integer in [${lo}, ${hi}]`, v);
}

/**
 * Throws unless `v` is a finite number in [lo, hi].
 * @param name - parameter name for the message.
 * @param v - value to check.
 * @param lo - inclusive lower bound; default -Infinity.
 * @param hi - inclusive upper bound; default Infinity.
 * @throws InvalidParameterError when `v` is not a finite number or is out of range.
 * @example
 * is.assertNumber('baseline', baseline, 0);
 */
export function assertNumber(name: string, v: unknown, lo = -Infinity, hi = Infinity): asserts v is number {
  if (!number(v) || !inRange(v, lo, hi)) throw invalidParameterError(name, `a number in [${lo}, ${hi}]`, v);
}

/**
 * Throws unless `v` is one of `choices`.
 * @param name - parameter name for the message.
 * @param v - value to check.
 * @param choices - the allowed strings, listed in the message.
 * @throws InvalidParameterError when `v` is not one of `choices`.
 * @example
 * is.assertOneOf('format', format, ['pfm', 'png16', 'npy'] as const);
 */
export function assertOneOf<T extends string>(name: string, v: unknown, choices: readonly T[]): asserts v is T {
  if (typeof v !== 'string' || !choices.includes(v as T)) throw invalidParameterError(name, `one of ${choices.join(', ')}`, v);
}

/**
 * Throws unless `v` is a non-empty string.
 * @param name - parameter name for the message.
 * @param v - value to check.
 * @throws InvalidParameterError when `v` is not a string or is empty.
 * @example
 * is.assertString('path', path);
 */
export function assertString(name: string, v: unknown): asserts v is string {
  if (!string(v)) throw invalidParameterError(name, 'a non-empty string', v);
}

/**
 * Throws unless `v` is a boolean.
 * @param name - parameter name for the message.
 * @param v - value to check.
 * @throws InvalidParameterError when `v` is not `true` or `false`.
 * @example
 * is.assertBoolean('options.fp16', options.fp16);
 */
export function assertBoolean(name: string, v: unknown): asserts v is boolean {
  if (!bool(v)) throw invalidParameterError(name, 'a boolean', v);
}

/**
 * Throws unless `v` is a plain object (see {@link plainObject}).
 * @param name - parameter name for the message.
 * @param v - value to check.
 * @throws InvalidParameterError when `v` is not a plain object.
 * @example
 * is.assertObject('options', options);
 */
export function assertObject(name: string, v: unknown): asserts v is Record<string, unknown> {
  if (!plainObject(v)) throw invalidParameterError(name, 'a plain object', v);
}
