import { describe, it, expect } from 'vitest';
import { InvalidParameterError, is } from '@stereo-sdk/common';

describe('is predicates', () => {
  it('accept and reject the documented values', () => {
    expect([is.defined(0), is.defined(''), is.defined(null), is.defined(undefined)]).toEqual([true, true, false, false]);
    expect([is.bool(false), is.bool(0)]).toEqual([true, false]);
    expect([is.number(1.5), is.number(NaN), is.number(Infinity), is.number('1')]).toEqual([true, false, false, false]);
    expect([is.integer(3), is.integer(3.5), is.integer('3')]).toEqual([true, false, false]);
    expect([is.string('a'), is.string(''), is.string(1)]).toEqual([true, false, false]);
    expect([is.inRange(1, 1, 2), is.inRange(2, 1, 2), is.inRange(2.1, 1, 2)]).toEqual([true, true, false]);
    expect([is.plainObject({}), is.plainObject([]), is.plainObject(null), is.plainObject(new Date())]).toEqual([true, false, false, false]);
    expect([is.typedArray(new Float32Array(2)), is.typedArray(new DataView(new ArrayBuffer(2))), is.typedArray([1])]).toEqual([
      true,
      false,
      false,
    ]);
  });
});

describe('invalidParameterError', () => {
  it('reads "Expected <expected> for <name> but received <actual>" with a short description', () => {
    const err = is.invalidParameterError('width', 'a positive integer', -3);
    expect(err).toBeInstanceOf(InvalidParameterError);
    expect(err.message).toBe('Expected a positive integer for width but received number -3');
    expect(is.invalidParameterError('p', 'x', 'abc').message).toMatch(/received 'abc'$/);
    expect(is.invalidParameterError('p', 'x', null).message).toMatch(/received null$/);
    expect(is.invalidParameterError('p', 'x', [1, 2, 3]).message).toMatch(/received array of length 3$/);
    expect(is.invalidParameterError('p', 'x', new Uint16Array(5)).message).toMatch(/received Uint16Array of length 5$/);
    expect(is.invalidParameterError('p', 'x', { a: 1 }).message).toMatch(/received object$/);
  });
});

describe('assert helpers', () => {
  it('assertInteger and assertNumber check type and inclusive bounds', () => {
    expect(() => is.assertInteger('n', 4, 1, 4)).not.toThrow();
    expect(() => is.assertInteger('n', 5, 1, 4)).toThrow('Expected an integer in [1, 4] for n but received number 5');
    expect(() => is.assertInteger('n', 2.5)).toThrow(InvalidParameterError);
    expect(() => is.assertNumber('x', 0.5, 0, 1)).not.toThrow();
    expect(() => is.assertNumber('x', NaN)).toThrow('Expected a number in [-Infinity, Infinity] for x but received number NaN');
    expect(() => is.assertNumber('x', -0.1, 0, 1)).toThrow(InvalidParameterError);
  });

  it('assertOneOf, assertString, assertBoolean and assertObject', () => {
    expect(() => is.assertOneOf('fmt', 'pfm', ['pfm', 'npy'])).not.toThrow();
    expect(() => is.assertOneOf('fmt', 'png', ['pfm', 'npy'])).toThrow("Expected one of pfm, npy for fmt but received 'png'");
    expect(() => is.assertString('path', 'a')).not.toThrow();
    expect(() => is.assertString('path', '')).toThrow('Expected a non-empty string for path');
    expect(() => is.assertBoolean('fp16', true)).not.toThrow();
    expect(() => is.assertBoolean('fp16', 1)).toThrow('Expected a boolean for fp16 but received number 1');
    expect(() => is.assertObject('options', { a: 1 })).not.toThrow();
    expect(() => is.assertObject('options', [])).toThrow('Expected a plain object for options but received array of length 0');
  });
});
