/**
 * The `stereo-sdk` command tree. `createProgram()` returns a commander `Command` configured with
 * `exitOverride()` so tests can drive it in-process; `main()` is what the bin shim calls.
 */
import { Command, CommanderError } from 'commander';
import { readFileSync } from 'node:fs';
import { registerBenchCommand } from './commands/bench.js';
import { registerDatasetCommand } from './commands/dataset.js';
import { registerDisparityCommand } from './commands/disparity.js';
import { registerEvalCommand } from './commands/eval.js';
import { registerExportCommand } from './commands/export.js';
import { registerInfoCommand } from './commands/info.js';
import { registerProfileCommand } from './commands/profile.js';
import { registerPruneCommand } from './commands/prune.js';
import { registerTrainCommand } from './commands/train.js';
import { registerTrainStudentCommand } from './commands/train-student.js';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

/** Where commands write: tests swap these to capture output. */
export interface ProgramIO {
  out: (s: string) => void;
  err: (s: string) => void;
}

const defaultIO: ProgramIO = {
  out: (s) => process.stdout.write(s),
  err: (s) => process.stderr.write(s),
};

/** Builds the full command tree. Each subcommand lives in `commands/<name>.ts`. */
export function createProgram(io: ProgramIO = defaultIO): Command {
  const program = new Command('stereo-sdk')
    .description('Train, distill, prune, evaluate and run real-time stereo depth networks (ONNX end to end).')
    .version(pkg.version, '-v, --version')
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .showHelpAfterError();
  registerDatasetCommand(program, io);
  registerDisparityCommand(program, io);
  registerEvalCommand(program, io);
  registerBenchCommand(program, io);
  registerInfoCommand(program, io);
  registerTrainCommand(program, io);
  registerTrainStudentCommand(program, io);
  registerExportCommand(program, io);
  registerPruneCommand(program, io);
  registerProfileCommand(program, io);
  for (const cmd of program.commands) cmd.exitOverride().configureOutput({ writeOut: io.out, writeErr: io.err });
  return program;
}

/**
 * Runs the CLI and returns the process exit code. Our own typed errors print as one line
 * (`error: <message>`), never as a stack trace; unexpected errors keep their stack for bug reports.
 */
export async function main(argv: string[], io: ProgramIO = defaultIO): Promise<number> {
  const program = createProgram(io);
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode;
    const e = err as { code?: unknown; message?: string; stack?: string };
    if (typeof e.code === 'string' && e.code.startsWith('ERR_')) {
      io.err(`error: ${e.message}\n`);
      return 1;
    }
    io.err(`unexpected error: ${e.stack ?? String(err)}\n`);
    return 2;
  }
}
