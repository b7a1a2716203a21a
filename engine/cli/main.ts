// `sqw`: the workstation's command line. Each command has --help, fails with one line and a non-zero
// exit code, and prints JSON with --json where it reports results.
import { Command, CommanderError } from 'commander';
import { ENGINE_VERSION } from '../version';
import { registerImport } from './commands/import';
import { registerExport } from './commands/export';
import { registerEval } from './commands/eval';
import { registerInfo } from './commands/info';
import { registerModels } from './commands/models';
import { registerProject } from './commands/project';
import { registerWorker } from './commands/worker';
import { registerRun } from './commands/run';
import { registerServe } from './commands/serve';
import { registerUsers } from './commands/users';
import { printable } from '../printable';
import { CliError } from './output';

export function buildProgram(): Command {
  const program = new Command('sqw')
    .description(
      'Spatial QA Workstation: verified spatial question-answer datasets from image batches',
    )
    .version(ENGINE_VERSION)
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  registerImport(program);
  registerServe(program);
  registerInfo(program);
  registerRun(program);
  registerExport(program);
  registerEval(program);
  registerModels(program);
  registerUsers(program);
  registerProject(program);
  registerWorker(program);
  for (const cmd of program.commands) cmd.exitOverride();
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  program.configureOutput({ writeErr: (s) => process.stderr.write(s) });
  try {
    await program.parseAsync(argv, { from: 'user' });
    // A command that ends without an error may still set its own code (a paused run: 130).
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end through here with exit code 0; commander already printed its line.
      return err.exitCode;
    }
    const message = err instanceof Error ? err.message : String(err);
    // One line: a name inside the message keeps its newlines, escaped, instead of being cut there.
    process.stderr.write(`sqw: ${printable(message.trim())}\n`);
    return err instanceof CliError ? err.exitCode : 1;
  }
}
