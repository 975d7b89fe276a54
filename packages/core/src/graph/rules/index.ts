/** Registers every shape rule into the `shapeRules` table keyed by op type. */
import { shapeRules, type ShapeRule } from '../rule-registry.js';
import { convRules } from './conv.js';
import { elementwiseRules } from './elementwise.js';
import { indexOpRules } from './index-ops.js';
import { reduceRules } from './reduce.js';
import { shapeOpRules } from './shape-ops.js';

const tables: Record<string, ShapeRule>[] = [elementwiseRules, convRules, shapeOpRules, indexOpRules, reduceRules];
for (const table of tables) for (const [op, rule] of Object.entries(table)) shapeRules.set(op, rule);

export { sliceLength } from './index-ops.js';
