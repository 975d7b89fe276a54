/** Attribute constructors (`attr.ints([1, 1])`) and typed getters with ONNX defaults. */
import { GraphValidationError } from './errors.js';
import type { Attribute, Node, Tensor } from './types.js';

/**
 * Attribute constructors, one per ONNX attribute type.
 * @example graph.addNode({ opType: 'Transpose', inputs: ['x'], outputs: ['y'], attributes: { perm: attr.ints([0, 2, 1]) } });
 */
export const attr = {
  // ONNX stores float attributes as float32: round now so built and loaded graphs compare equal.
  float: (value: number): Attribute => ({ type: 'float', value: Math.fround(value) }),
  int: (value: number): Attribute => ({ type: 'int', value: Math.trunc(value) }),
  string: (value: string): Attribute => ({ type: 'string', value }),
  tensor: (value: Tensor): Attribute => ({ type: 'tensor', value }),
  floats: (value: readonly number[]): Attribute => ({ type: 'floats', value: value.map(Math.fround) }),
  ints: (value: readonly number[]): Attribute => ({ type: 'ints', value: value.map((v) => Math.trunc(v)) }),
  strings: (value: readonly string[]): Attribute => ({ type: 'strings', value: [...value] }),
} as const;

function wrongType(node: Node, name: string, want: string, got: Attribute): GraphValidationError {
  return new GraphValidationError(
    `Node '${node.name}' (${node.opType}): attribute '${name}' should be ${want} but is ${got.type}`,
    { node: node.name, opType: node.opType },
  );
}

/**
 * Reads an int attribute.
 * @param node node to read
 * @param name ONNX attribute name
 * @param fallback returned when the attribute is absent (the ONNX default)
 * @throws GraphValidationError when the attribute has another type
 */
export function attrInt(node: Node, name: string, fallback: number): number;
export function attrInt(node: Node, name: string): number | undefined;
export function attrInt(node: Node, name: string, fallback?: number): number | undefined {
  const a = node.attributes[name];
  if (a === undefined) return fallback;
  if (a.type !== 'int') throw wrongType(node, name, 'an int', a);
  return a.value;
}

/** Reads a float attribute (an int attribute is accepted and converted). */
export function attrFloat(node: Node, name: string, fallback: number): number;
export function attrFloat(node: Node, name: string): number | undefined;
export function attrFloat(node: Node, name: string, fallback?: number): number | undefined {
  const a = node.attributes[name];
  if (a === undefined) return fallback;
  if (a.type !== 'float' && a.type !== 'int') throw wrongType(node, name, 'a float', a);
  return a.value;
}

/** Reads a string attribute. */
export function attrString(node: Node, name: string, fallback: string): string;
export function attrString(node: Node, name: string): string | undefined;
export function attrString(node: Node, name: string, fallback?: string): string | undefined {
  const a = node.attributes[name];
  if (a === undefined) return fallback;
  if (a.type !== 'string') throw wrongType(node, name, 'a string', a);
  return a.value;
}

/** Reads an ints attribute. */
export function attrInts(node: Node, name: string, fallback: readonly number[]): readonly number[];
export function attrInts(node: Node, name: string): readonly number[] | undefined;
export function attrInts(node: Node, name: string, fallback?: readonly number[]): readonly number[] | undefined {
  const a = node.attributes[name];
  if (a === undefined) return fallback;
  if (a.type !== 'ints') throw wrongType(node, name, 'ints', a);
  return a.value;
}

/** Reads a floats attribute. */
export function attrFloats(node: Node, name: string): readonly number[] | undefined {
  const a = node.attributes[name];
  if (a === undefined) return undefined;
  if (a.type !== 'floats') throw wrongType(node, name, 'floats', a);
  return a.value;
}

/** Reads a tensor attribute. */
export function attrTensor(node: Node, name: string): Tensor | undefined {
  const a = node.attributes[name];
  if (a === undefined) return undefined;
  if (a.type !== 'tensor') throw wrongType(node, name, 'a tensor', a);
  return a.value;
}
