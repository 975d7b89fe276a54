/** Parameter and MAC counting. */
export { countCost, type GraphCost, type NodeCost } from './count.js';
