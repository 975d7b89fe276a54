/** Graph IR bookkeeping and validateGraph. */
import { describe, expect, it } from 'vitest';
import { addInferredNode, attr, float32Tensor, Graph, GraphValidationError, inferShapes, makeTensor, validateGraph } from '../../src/graph/index.js';

/** x → Relu → r → Add(r, b) → y, plus a dead Sigmoid. */
function small(): Graph {
  const g = new Graph('small');
  g.addInput('x', { dtype: 'float32', shape: ['N', 4] });
  g.addInitializer('b', float32Tensor([1, 2, 3, 4]));
  g.addNode({ opType: 'Relu', inputs: ['x'], outputs: ['r'], name: 'relu' });
  g.addNode({ opType: 'Add', inputs: ['r', 'b'], outputs: ['y'], name: 'add' });
  g.addNode({ opType: 'Sigmoid', inputs: ['r'], outputs: ['dead'], name: 'sig' });
  g.addOutput('y');
  inferShapes(g);
  return g;
}

describe('Graph', () => {
  it('indexes producers and consumers and keeps them right through rewiring', () => {
    const g = small();
    expect(g.producer('r')!.name).toBe('relu');
    expect(g.consumers('r').map((n) => n.name)).toEqual(['add', 'sig']);
    expect(g.uses('b')).toEqual([{ node: g.node('add'), index: 1 }]);
    const neg = g.addNode({ opType: 'Neg', inputs: ['x'], outputs: ['nx'] }, { before: g.node('add') });
    expect(g.nodes.map((n) => n.name)).toEqual(['relu', 'Neg', 'add', 'sig']);
    expect(g.replaceAllUses('r', 'nx')).toBe(2);
    expect(g.consumers('r')).toEqual([]);
    expect(g.consumers('nx').map((n) => n.name)).toEqual(['add', 'sig']);
    g.setNodeInput(g.node('sig')!, 0, 'x');
    expect(g.consumers('nx').map((n) => n.name)).toEqual(['add']);
    g.removeNode(g.node('relu')!);
    expect(g.producer('r')).toBeUndefined();
    expect(g.type('r')).toBeUndefined();
    expect(neg.outputs).toEqual(['nx']);
    validateGraph(g);
  });

  it('refuses a second producer, a duplicate node name, or a value that already exists', () => {
    const g = small();
    expect(() => g.addNode({ opType: 'Relu', inputs: ['x'], outputs: ['r'] })).toThrow(/'r' already has a producer \('relu'\)/);
    expect(() => g.addNode({ opType: 'Relu', inputs: ['x'], outputs: ['b'] })).toThrow(/graph input or initializer/);
    expect(() => g.addNode({ opType: 'Relu', inputs: ['x'], outputs: ['q'], name: 'relu' })).toThrow(/already used/);
    expect(() => g.addInput('r', { dtype: 'float32' })).toThrow(/already exists/);
    expect(() => g.addInitializer('x', float32Tensor([1]))).toThrow(/already exists/);
  });

  it('gives unique names, static shapes, dead-code removal and independent clones', () => {
    const g = small();
    expect(g.uniqueName('r')).toBe('r_1');
    expect(g.uniqueName('r')).toBe('r_2');
    expect(g.uniqueName('fresh')).toBe('fresh');
    expect(g.shape('y')).toEqual(['N', 4]);
    expect(() => g.staticShape('y')).toThrow(/no static shape \(\[N, 4\]\)/);
    const c = g.clone();
    expect(c.removeDeadCode()).toBe(1);
    expect(c.nodes.map((n) => n.name)).toEqual(['relu', 'add']);
    expect(g.nodes).toHaveLength(3);
    (c.initializer('b')!.data as Float32Array)[0] = 99;
    expect(g.initializer('b')!.data[0]).toBe(1);
    expect(c.type('y')).toEqual(g.type('y'));
    c.node('add')!.attributes['note'] = attr.string('only in clone');
    expect(g.node('add')!.attributes['note']).toBeUndefined();
  });

  it('sorts topologically and reports cycles', () => {
    const g = new Graph();
    g.addInput('x', { dtype: 'float32', shape: [2] });
    g.addNode({ opType: 'Relu', inputs: ['a'], outputs: ['b'], name: 'second' });
    g.addNode({ opType: 'Neg', inputs: ['x'], outputs: ['a'], name: 'first' });
    g.addOutput('b');
    expect(() => validateGraph(g)).toThrow(/'second' \(Relu\).*produced later by 'first'.*not in topological order/);
    g.sortTopologically();
    expect(g.nodes.map((n) => n.name)).toEqual(['first', 'second']);
    validateGraph(g);
    g.setNodeInput(g.node('first')!, 0, 'b');
    expect(() => g.clone().sortTopologically()).toThrow(/cycle through nodes 'first' \(Neg\), 'second' \(Relu\)/);
    expect(() => validateGraph(g)).toThrow(/cycle/);
  });
});

describe('validateGraph', () => {
  it('names the node, its op and its shapes on a dangling input', () => {
    const g = small();
    g.setNodeInput(g.node('add')!, 1, 'nowhere');
    let err: unknown;
    try {
      validateGraph(g);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(GraphValidationError);
    expect((err as GraphValidationError).node).toBe('add');
    expect((err as GraphValidationError).opType).toBe('Add');
    expect((err as Error).message).toMatch(/Node 'add' \(Add\) with inputs r \[N, 4\] float32, nowhere \(unknown\): input 1 'nowhere' is not a graph input/);
  });

  it('refuses a binary op with a third input, as onnxruntime does', () => {
    const g = new Graph('arity');
    g.addInput('a', { dtype: 'float32', shape: [2] });
    g.addNode({ name: 'mul3', opType: 'Mul', inputs: ['a', 'a', 'a'], outputs: ['y'] });
    g.addOutput('y');
    expect(() => validateGraph(g)).toThrow(/'mul3' \(Mul\).*takes exactly 2 inputs, got 3/);
  });

  it('catches shapes that no longer fit (a pruned weight without its consumer) and recorded-type conflicts', () => {
    const g = new Graph();
    g.addInput('x', { dtype: 'float32', shape: [1, 4, 5, 5] });
    g.addInitializer('w', makeTensor('float32', [6, 4, 3, 3]));
    g.addNode({ opType: 'Conv', inputs: ['x', 'w'], outputs: ['y'], name: 'conv', attributes: { pads: attr.ints([1, 1, 1, 1]) } });
    g.addOutput('y');
    inferShapes(g);
    validateGraph(g);
    expect(g.shape('y')).toEqual([1, 6, 5, 5]);
    g.setInitializer('w', makeTensor('float32', [6, 3, 3, 3]));
    expect(() => validateGraph(g)).toThrow(/Node 'conv' \(Conv\) with inputs x \[1, 4, 5, 5\] float32, w \[6, 3, 3, 3\] float32: X has 4 channels but W expects 3/);
    g.setInitializer('w', makeTensor('float32', [5, 4, 3, 3]));
    expect(() => validateGraph(g)).toThrow(/output 'y' infers shape \[1, 5, 5, 5\] but \[1, 6, 5, 5\] was recorded/);
  });

  it('requires graph outputs to exist and, on request, every type to be known', () => {
    const g = small();
    g.addOutput('ghost');
    expect(() => validateGraph(g)).toThrow(/Graph output 'ghost'/);
    const h = small();
    h.addNode({ opType: 'FancyOp', domain: 'com.example', inputs: ['x'], outputs: ['f'] });
    validateGraph(h);
    expect(() => validateGraph(h, { requireTypes: true })).toThrow(/\(FancyOp\).*cannot be inferred/);
  });
});

describe('passes that change shapes', () => {
  it('addInferredNode records output types and rolls back a node that does not fit', () => {
    const g = small();
    expect(() => addInferredNode(g, { opType: 'ReduceSum', inputs: ['y', 'axes'], outputs: ['s'] })).toThrow(/output 's' cannot be inferred/);
    expect(g.producer('s')).toBeUndefined();
    g.addInitializer('ax', makeTensor('int64', [1], [1]));
    addInferredNode(g, { opType: 'ReduceSum', inputs: ['y', 'ax'], outputs: ['s'], attributes: { keepdims: attr.int(0) } });
    expect(g.type('s')).toEqual({ dtype: 'float32', shape: ['N'] });
    const count = g.nodes.length;
    expect(() => addInferredNode(g, { opType: 'MatMul', inputs: ['y', 'b'], outputs: ['m'] })).not.toThrow();
    g.addInitializer('w35', makeTensor('float32', [3, 5]));
    expect(() => addInferredNode(g, { opType: 'Gemm', inputs: ['y', 'w35'], outputs: ['bad'] })).toThrow(/\(Gemm\).*inner dimensions differ/);
    expect(g.nodes.length).toBe(count + 1);
    expect(g.producer('bad')).toBeUndefined();
  });

  it('inferShapes with reset re-derives shapes after an initializer is sliced', () => {
    const g = new Graph();
    g.addInput('x', { dtype: 'float32', shape: [1, 4, 6, 6] });
    g.addInitializer('w', makeTensor('float32', [8, 4, 3, 3]));
    g.addNode({ opType: 'Conv', inputs: ['x', 'w'], outputs: ['y'] });
    g.addNode({ opType: 'Relu', inputs: ['y'], outputs: ['z'] });
    g.addOutput('z');
    inferShapes(g);
    g.setInitializer('w', makeTensor('float32', [5, 4, 3, 3]));
    expect(() => inferShapes(g)).toThrow(/infers shape \[1, 5, 4, 4\] but \[1, 8, 4, 4\] was recorded/);
    inferShapes(g, { reset: true });
    expect(g.shape('z')).toEqual([1, 5, 4, 4]);
    validateGraph(g);
  });
});
