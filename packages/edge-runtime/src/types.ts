/**
 * Public types of the edge runtime, kept apart from their implementations.
 *
 * Conventions: disparity is positive, in pixels at the input resolution, left-referenced
 * (`x_right = x_left - d`). The runtime marks invalid pixels with `NaN` (see {@link INVALID_DISPARITY});
 * test validity with `Number.isFinite(d)`, which also accepts the `Infinity` that
 * `@stereo-sdk/core`'s readers write for missing ground truth.
 */

/** Decoded pixels, interleaved (row-major, channels last). 8-bit or 16-bit samples. */
export interface RawImage {
  /** Samples: `Uint8Array`/`Uint8ClampedArray`/`Buffer` for 8-bit, `Uint16Array` for 16-bit. */
  data: Uint8Array | Uint8ClampedArray | Uint16Array;
  width: number;
  height: number;
  /** 1 (gray), 2 (gray + alpha), 3 (RGB) or 4 (RGBA). Alpha is ignored. */
  channels: 1 | 2 | 3 | 4;
}

/** Anything `disparity()` accepts as one view: a file path, an encoded image, or raw pixels. */
export type StereoImageInput = string | Uint8Array | RawImage;

/** Execution providers onnxruntime-node can be asked for. Which ones start depends on the installed build. */
export type ProviderName = 'cpu' | 'cuda' | 'tensorrt' | 'webgpu' | 'dml' | 'coreml' | 'qnn';

/**
 * TensorRT settings, used only when `tensorrt` is among the providers. onnxruntime-node 1.30's
 * binding forwards only the device id to TensorRT, so these are also exported as the
 * `ORT_TENSORRT_ENGINE_CACHE_ENABLE` / `ORT_TENSORRT_CACHE_PATH` / `ORT_TENSORRT_FP16_ENABLE`
 * environment variables (unless already set), which onnxruntime builds that create the provider
 * without options read. Whether they take effect depends on the installed onnxruntime build.
 */
export interface TensorRtOptions {
  /** Folder for built engines, so a restart does not rebuild them. Default `~/.cache/stereo-sdk/tensorrt`. */
  engineCacheDir?: string;
  /** Build fp16 engines. Default true (Jetson-class GPUs run fp16 much faster). */
  fp16?: boolean;
}

/** Width and height of the frames a matcher will see, in pixels. */
export interface FrameSize {
  width: number;
  height: number;
}

/** One model shipped in the package's `models/` folder; the table is `BUNDLED_MODELS`. */
export interface BundledModel {
  /** Short name used in reports, e.g. `student` or `student-kitti30`. */
  readonly name: string;
  /** File name inside `models/`. */
  readonly file: string;
  /** What the model is, in one sentence. */
  readonly description: string;
  /**
   * Frame sizes for which this model is the better choice: within ±`tolerance` (a fraction, e.g. 0.25)
   * of `width` and of `height`. Absent on the one general default, used for every other size.
   */
  readonly bestFor?: { readonly width: number; readonly height: number; readonly tolerance: number };
}

/** Options of {@link createStereoMatcher}. */
export interface StereoMatcherOptions {
  /** Providers tried in order; the first that starts is used. Default `['cpu']`. */
  providers?: ProviderName[];
  /** Threads inside one operator (0 = onnxruntime's choice). Default onnxruntime's choice. */
  intraOpNumThreads?: number;
  /** Threads across operators (0 = onnxruntime's choice). Default onnxruntime's choice. */
  interOpNumThreads?: number;
  /**
   * Let onnxruntime's intra-op threads spin-wait for work instead of sleeping (its
   * `session.intra_op.allow_spinning`). Spinning saves a wake-up per parallel operator when cores are
   * free, but the spinning threads keep a core busy after `session.run` returns, which slows the
   * JavaScript pre/postprocessing and anything else on a busy device. With the bundled student at
   * KITTI size on a 2-core machine also running two other processes, false measured 4.4–5.8 ms of
   * pre+postprocess instead of 13.4–13.6 ms, and a 25 % faster `session.run`; measure on your device.
   * Default true (onnxruntime's default).
   */
  spinning?: boolean;
  /** GPU device for cuda / tensorrt / dml. Default 0. */
  deviceId?: number;
  tensorrt?: TensorRtOptions;
  /**
   * Size of the frames this matcher will mostly see, used only when no model is given: picks the
   * bundled model meant for that size (`student-kitti30` for KITTI-size frames, when this build ships
   * it; see `defaultModelFor`). Ignored when a model is given. Default: none, which loads `student.onnx`
   * (a matcher does not know its frame size in advance).
   */
  frameSize?: FrameSize;
}

/** Options of one `disparity()` call. */
export interface DisparityOptions {
  /** Pixels with a larger disparity (in input pixels) are marked invalid. Default: none. */
  maxDisparity?: number;
  /** Run the model at 1/downscale of the input size (≥ 1) and scale the result back up. Default 1. */
  downscale?: number;
  /**
   * Left-right consistency check: also run the model on the mirrored, swapped pair and mark pixels
   * whose left and right disparities differ by more than `threshold` pixels invalid (occlusions,
   * mismatches). Doubles the inference time. `true` means threshold 1. Default false.
   */
  lrCheck?: boolean | { threshold?: number };
  /** Return `confidence` when the model outputs confidence or logits. Default true. */
  confidence?: boolean;
}

/** Wall-clock time of each step of one call, in milliseconds. */
export interface DisparityTimings {
  /** Decoding (for files/buffers) and building the input tensors. */
  preprocessMs: number;
  /** `session.run` (twice with `lrCheck`). */
  inferenceMs: number;
  /** Cropping, resizing, invalidation, confidence and the consistency check. */
  postprocessMs: number;
}

/** What `disparity()` returns. */
export interface DisparityResult {
  /** Row-major disparity in pixels at the input resolution; invalid pixels are `NaN`. */
  disparity: Float32Array;
  width: number;
  height: number;
  /**
   * Per-pixel confidence in [0, 1], resized to the input resolution: the model's own `confidence`
   * output when its contract declares one, else the highest probability of the softmax of its
   * logits. Present when the model outputs either and `confidence` was not turned off.
   */
  confidence?: Float32Array;
  timings: DisparityTimings;
}

/** How a model wants its input pair fed: two tensors, or one with left and right stacked on channels. */
export type ContractInputs =
  | { layout: 'pair'; left: string; right: string }
  | { layout: 'stacked'; name: string };

/** Input size the model accepts. */
export type ContractSize = { dynamic: true } | { dynamic: false; width: number; height: number };

/**
 * The model contract: everything the runtime needs to feed a stereo model and read its outputs.
 * Stored as JSON in the ONNX `metadata_props` under {@link CONTRACT_METADATA_KEY}; see CONTRACT.md.
 */
export interface ModelContract {
  /** Schema version, currently 1. */
  version: 1;
  inputs: ContractInputs;
  /** Channels per view the model takes: 1 (gray) or 3 (color). */
  channels: 1 | 3;
  /** Channel order for 3-channel models. */
  colorOrder: 'rgb' | 'bgr';
  /** Input value = (pixel01 × scale − mean[c]) / std[c], pixel01 being the sample scaled to [0, 1]. */
  normalization: { scale: number; mean: number[]; std: number[] };
  /** Input height and width are padded to a multiple of this. */
  stride: number;
  /** How the padding is filled: edge replication or zeros (after normalization). */
  padding: 'replicate' | 'zero';
  /** Largest disparity the model can output, in model-input pixels (informational). */
  maxDisparity?: number;
  size: ContractSize;
  outputs: {
    /** Disparity output, shape [N,1,H,W] or [N,H,W] at the (padded) input size, in pixels. */
    disparity: string;
    /** Optional logits over disparity, shape [N,D,H/downsample,W/downsample]; softmax over D gives the distribution. */
    logits?: { name: string; downsample: number };
    /**
     * Optional per-pixel confidence in [0, 1] computed by the model, shape [N,1,H/downsample,W/downsample]
     * or [N,H/downsample,W/downsample]. When present the runtime reads it instead of the logits.
     */
    confidence?: { name: string; downsample: number };
  };
}
