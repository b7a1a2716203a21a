// How every sqw command talks to a terminal: one-line errors, --json for machines, and a progress
// line on stderr only when stderr is a TTY (logs and pipes stay clean). Every line goes through
// printable: a name with a newline or an ANSI escape in it cannot split a line or reach the terminal.
import { printable, printableLines } from '../printable';

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

export interface Output {
  json: boolean;
  result(human: string, machine: unknown): void;
  info(text: string): void;
  progress(done: number, total: number, label: string | null): void;
  endProgress(): void;
}

export function createOutput(
  json: boolean,
  streams = { out: process.stdout, err: process.stderr },
): Output {
  const tty = Boolean((streams.err as { isTTY?: boolean }).isTTY);
  let drawn = false;
  return {
    json,
    result(human, machine) {
      streams.out.write(json ? `${JSON.stringify(machine)}\n` : `${printableLines(human)}\n`);
    },
    info(text) {
      if (!json) streams.err.write(`${printableLines(text)}\n`);
    },
    progress(done, total, label) {
      if (!tty || json) return;
      streams.err.write(
        `\r${progressBar(done, total)} ${truncate(printable(label ?? ''), 40).padEnd(40)}`,
      );
      drawn = true;
    },
    endProgress() {
      if (drawn) streams.err.write('\n');
      drawn = false;
    },
  };
}

export function progressBar(done: number, total: number, width = 24): string {
  const ratio = total > 0 ? Math.min(1, done / total) : 0;
  const filled = Math.round(ratio * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}`;
}

function truncate(s: string, n: number): string {
  return s.length <= n ? s : `…${s.slice(s.length - n + 1)}`;
}
