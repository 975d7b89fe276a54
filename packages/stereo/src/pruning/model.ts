/**
 * What the pruning pipeline needs to know about a stereo model: loading it (from a path or a
 * graph) and checking it is a deployable model of the contract, its dependency graph, and its
 * size and cost at the target resolution.
 */
import { buildDependencyGraph, countCost, FileFormatError, Graph, is, readOnnx, type DependencyGraph } from '@stereo-sdk/core';
import { CONTRACT_KEY } from '../nets/export.js';
import { STEREO_NET_IO } from '../nets/network.js';
import type { TargetResolution } from './types.js';

/** A loaded model and the label reports name it by. */
export interface LoadedModel {
  graph: Graph;
  /** The path, or `<in-memory graph 'name'>`. */
  label: string;
  /** Input sizes are padded to a multiple of this (from the model contract). */
  stride: number;
}

/**
 * Loads an inference model of the stereo contract.
 * @param model - a path to an `.onnx` file or an inference Graph.
 * @param what - what the model is, for messages (`model`, `teacher`).
 * @throws FileNotFoundError / FileFormatError for a missing or unreadable file.
 * @throws FileFormatError when the model has no stereo model contract or lacks `left`, `right`, `disparity`.
 */
export async function loadStereoModel(model: string | Graph, what = 'model'): Promise<LoadedModel> {
  let graph: Graph;
  let label: string;
  if (model instanceof Graph) {
    graph = model;
    label = `<in-memory graph '${model.name}'>`;
  } else {
    is.assertString(what, model);
    graph = await readOnnx(model);
    label = model;
  }
  const raw = graph.metadata.get(CONTRACT_KEY);
  const problem = (p: string) => new FileFormatError(label, `not a stereo inference ${what}: ${p} (export one with \`stereo-sdk train\` or exportStereoModel)`);
  if (raw === undefined) throw problem(`no '${CONTRACT_KEY}' metadata`);
  let stride: unknown;
  try {
    stride = (JSON.parse(raw) as { stride?: unknown }).stride;
  } catch {
    throw problem(`'${CONTRACT_KEY}' metadata is not JSON`);
  }
  if (!Number.isInteger(stride) || (stride as number) < 1) throw problem('its contract has no stride');
  for (const name of [STEREO_NET_IO.left, STEREO_NET_IO.right]) if (!graph.isInput(name)) throw problem(`no input '${name}'`);
  if (!graph.isOutput(STEREO_NET_IO.disparity)) throw problem(`no output '${STEREO_NET_IO.disparity}'`);
  return { graph, label, stride: stride as number };
}

/**
 * The stereo model's dependency graph. The comb alone keeps what carries meaning whole: the graph
 * outputs (so the logits' disparity channels), and the cost volume, whose channels come out of the
 * correlation MatMul and a Transpose as disparity hypotheses that no channel rule maps to a
 * prunable axis (checked on the student in test/prune/student.test.ts).
 */
export function combStereo(graph: Graph): DependencyGraph {
  // A dynamic export leaves the volume's width symbolic, which would freeze the context branch that
  // is concatenated with it; a static probe size (any multiple of the stride) resolves it. The cut
  // keeps the graph's declared (dynamic) input shapes.
  const probe = (name: string): number[] => {
    const shape = graph.shape(name);
    const channels = typeof shape?.[1] === 'number' ? shape[1] : 3;
    return [1, channels, 64, 128];
  };
  return buildDependencyGraph(graph, { inputShapes: { [STEREO_NET_IO.left]: probe(STEREO_NET_IO.left), [STEREO_NET_IO.right]: probe(STEREO_NET_IO.right) } });
}

/** Channels left in the prunable groups. */
export function prunableChannels(dep: DependencyGraph): number {
  return dep.groups.reduce((n, g) => n + (g.prunable ? g.size : 0), 0);
}

/** Parameters and MACs at the target resolution, padded to the stride as the runtime pads it. */
export function costAt(graph: Graph, resolution: TargetResolution, stride: number): { params: number; macs: number } {
  const w = Math.ceil(resolution.width / stride) * stride;
  const h = Math.ceil(resolution.height / stride) * stride;
  const shape = [1, 3, h, w];
  const { params, macs } = countCost(graph, { inputShapes: { [STEREO_NET_IO.left]: shape, [STEREO_NET_IO.right]: shape } });
  return { params, macs };
}
