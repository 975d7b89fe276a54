/** `stereo-sdk dataset ...`: dataset utilities (synthetic generation). */
import type { Command } from 'commander';
import type { ProgramIO } from '../program.js';

export function registerDatasetCommand(program: Command, _io: ProgramIO): void {
  program.command('dataset').description('Dataset utilities: generate synthetic stereo data');
}
