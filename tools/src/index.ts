/** The `stereo-sdk` CLI as a library: build the command tree or run it. */
export { createProgram, main } from './program.js';
export type { ProgramIO } from './program.js';
export { createProgress } from './progress.js';
export type { Progress } from './progress.js';
