/** Errors of the trainer. */
import { StereoSdkError } from '../errors.js';

/**
 * A step produced a non-finite loss or gradient. The trainer keeps the weights of the last good
 * step (the failed step's update is discarded) and never writes them over a checkpoint.
 */
export class TrainingDivergedError extends StereoSdkError {
  /** The step that failed (1-based: the number it would have had once completed). */
  readonly step: number;
  readonly loss: number;
  readonly gradNorm: number;
  /** Path of the last good checkpoint written, when there is one. */
  readonly checkpoint?: string;

  constructor(step: number, loss: number, gradNorm: number, checkpoint?: string) {
    const what = Number.isFinite(loss) ? `the gradient norm is ${gradNorm} (loss ${loss})` : `the loss is ${loss} (gradient norm ${gradNorm})`;
    super(
      'ERR_TRAINING_DIVERGED',
      `Training diverged at step ${step}: ${what}. The weights stay at step ${step - 1}` +
        `${checkpoint ? `; last good checkpoint: ${checkpoint}` : ''}. ` +
        'Lower the learning rate, set clipGradNorm, or check the batch for NaN/Inf values.',
    );
    this.step = step;
    this.loss = loss;
    this.gradNorm = gradNorm;
    if (checkpoint !== undefined) this.checkpoint = checkpoint;
  }
}
