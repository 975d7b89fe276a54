/** Disparity accuracy metrics. */
export {};
