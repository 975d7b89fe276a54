/**
 * Core's path to the shared argument checks, which live in `@stereo-sdk/common` so the edge runtime
 * can use them without depending on core. Kept as a module so `../is.js` imports inside core, and
 * core's public `is` namespace, stay as they were.
 */
import { is } from '@stereo-sdk/common';

export const { defined, bool, number, integer, string, inRange, plainObject, typedArray, invalidParameterError } = is;

// Assertion functions must be bound with an explicit type to be callable as assertions (TS2775).
export const assertInteger: typeof is.assertInteger = is.assertInteger;
export const assertNumber: typeof is.assertNumber = is.assertNumber;
export const assertOneOf: typeof is.assertOneOf = is.assertOneOf;
export const assertString: typeof is.assertString = is.assertString;
export const assertBoolean: typeof is.assertBoolean = is.assertBoolean;
export const assertObject: typeof is.assertObject = is.assertObject;
