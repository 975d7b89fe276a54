/**
 * Core's path to the atomic file write, which lives in `@stereo-sdk/common` so the edge runtime can
 * use it without depending on core. Kept so `../fs/atomic.js` imports inside core stay as they were.
 */
export { writeFileAtomic } from '@stereo-sdk/common';
