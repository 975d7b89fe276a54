/**
 * Execution-provider choice: try each requested provider in turn and keep the first that starts;
 * when none does, throw one error that says why each failed and how to fix it. The pattern is
 * onnxruntime-common's `resolveBackend`; it is kept apart from the onnxruntime import so the
 * bookkeeping is testable on its own.
 */
import { PROVIDER_NAMES } from './defaults.js';
import { StereoSdkError, is } from '@stereo-sdk/common';
import { ProviderUnavailableError, type ProviderFailure } from './errors.js';
import type { ProviderName } from './types.js';

/** What each provider needs, shown when it fails, so the user knows what to install. */
const PROVIDER_HINTS: Record<ProviderName, string> = {
  cpu: 'always built in',
  cuda: 'needs onnxruntime-node installed with CUDA (npm config onnxruntime-node-install=cuda12) and CUDA 12 + cuDNN 9 on the library path',
  tensorrt: 'needs the CUDA build of onnxruntime-node plus TensorRT 10 libraries on the library path',
  webgpu: 'needs a GPU adapter (Vulkan, Metal or D3D12)',
  dml: 'Windows only (DirectML)',
  coreml: 'macOS only',
  qnn: 'Qualcomm devices with the QNN SDK only',
};

/**
 * Validates a provider list and removes duplicates (keeping the first occurrence).
 * @throws InvalidParameterError on an empty list or an unknown name.
 */
export function normalizeProviders(providers: unknown): ProviderName[] {
  if (!Array.isArray(providers) || providers.length === 0) {
    throw is.invalidParameterError('providers', `a non-empty array of ${PROVIDER_NAMES.join(', ')}`, providers);
  }
  providers.forEach((p, i) => is.assertOneOf(`providers[${i}]`, p, PROVIDER_NAMES));
  return [...new Set(providers as ProviderName[])];
}

/** Shortens a native error message to its first line, without ANSI colours or source paths. */
export function shortReason(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  const line = text
    // eslint-disable-next-line no-control-regex
    .replace(/\u001b\[[0-9;]*m/g, '')
    .split('\n')
    .map((l) => l.trim())
    .find((l) => l.length > 0) ?? 'unknown error';
  const noPath = line.replace(/\/\S+\.(cc|cpp|h):\d+\s*/g, '');
  return noPath.length > 300 ? `${noPath.slice(0, 297)}...` : noPath;
}

/**
 * Calls `attempt(provider)` for each provider in order and returns the first success.
 * @param providers - validated provider names, in order of preference.
 * @param attempt - starts the provider; throws when it cannot. A typed {@link StereoSdkError} it
 *   throws (e.g. "the model itself is broken") ends the search at once instead of trying the next.
 * @returns the value and the provider that produced it.
 * @throws ProviderUnavailableError listing each provider's failure when none starts.
 */
export async function tryProviders<T>(
  providers: readonly ProviderName[],
  attempt: (provider: ProviderName) => Promise<T>,
): Promise<{ value: T; provider: ProviderName }> {
  const failures: ProviderFailure[] = [];
  for (const provider of providers) {
    try {
      return { value: await attempt(provider), provider };
    } catch (err) {
      if (err instanceof StereoSdkError) throw err;
      failures.push({ provider, reason: `${shortReason(err)} (${PROVIDER_HINTS[provider]})` });
    }
  }
  const hint = providers.includes('cpu')
    ? 'Check the model and the onnxruntime-node installation.'
    : "Add 'cpu' as the last provider to fall back to the CPU explicitly.";
  throw new ProviderUnavailableError(failures, hint);
}
