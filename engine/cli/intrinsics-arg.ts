// `--intrinsics fx,fy,cx,cy` or a JSON file {fx, fy, cx, cy}.
import { existsSync, readFileSync } from 'node:fs';
import { IntrinsicsInput } from '../../contract/api';
import { CliError } from './output';

export function parseIntrinsicsArg(value: string): {
  fx: number;
  fy: number;
  cx: number;
  cy: number;
} {
  let candidate: unknown;
  if (/^\s*-?[0-9.eE+-]+(\s*,\s*-?[0-9.eE+-]+){3}\s*$/.test(value)) {
    const [fx, fy, cx, cy] = value.split(',').map((v) => Number(v.trim()));
    candidate = { fx, fy, cx, cy };
  } else if (existsSync(value)) {
    try {
      candidate = JSON.parse(readFileSync(value, 'utf8'));
    } catch (err) {
      throw new CliError(`--intrinsics: ${value} is not valid JSON (${(err as Error).message})`);
    }
  } else {
    throw new CliError(`--intrinsics: expected fx,fy,cx,cy or a JSON file, got '${value}'`);
  }
  const parsed = IntrinsicsInput.safeParse(candidate);
  if (!parsed.success) {
    throw new CliError(
      `--intrinsics: need positive fx, fy and numeric cx, cy (${parsed.error.issues[0]?.message ?? 'invalid'})`,
    );
  }
  return parsed.data;
}
