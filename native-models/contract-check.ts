// Compare what an ONNX session declares (names, and dtype/shape metadata where ORT gives it) with a
// manifest's graph contract. Used by `models verify` and by every adapter before its first run.
import type { GraphContract, TensorSpec } from './manifest';

export interface DeclaredTensor {
  name: string;
  /** ORT type string ("float32", "int64", …) when known. */
  type?: string | null;
  /** Dims: numbers, symbolic names, or null/undefined for unknown. */
  shape?: readonly (number | string | null | undefined)[] | null;
}

export interface DeclaredGraph {
  inputs: DeclaredTensor[];
  outputs: DeclaredTensor[];
}

export interface ContractReport {
  ok: boolean;
  problems: string[];
  expected: { inputs: string[]; outputs: string[] };
  actual: { inputs: string[]; outputs: string[] };
}

const label = (t: TensorSpec, i: number) =>
  t.name === null
    ? `#${i} (any name)`
    : t.aliases.length
      ? `${t.name} (or ${t.aliases.join(', ')})`
      : t.name;

/** The name under which a session declares `spec`: its name, else the first alias present. */
export function declaredName(spec: TensorSpec, names: readonly string[]): string | undefined {
  if (spec.name === null) return undefined;
  return [spec.name, ...spec.aliases].find((n) => names.includes(n));
}

export function checkContract(contract: GraphContract, declared: DeclaredGraph): ContractReport {
  const problems: string[] = [];
  const expectedIn = contract.inputs.map(label);
  const expectedOut = contract.outputs.map(label);
  const actualIn = declared.inputs.map((t) => t.name);
  const actualOut = declared.outputs.map((t) => t.name);

  const missingIn = contract.inputs.filter(
    (t) => t.name !== null && !t.optional && !declaredName(t, actualIn),
  );
  const extraIn = actualIn.filter(
    (n, i) =>
      !contract.inputs.some(
        (t, j) => declaredName(t, actualIn) === n || (t.name === null && j === i),
      ),
  );
  if (missingIn.length || extraIn.length) {
    problems.push(
      `inputs do not match: expected [${expectedIn.join(', ')}], got [${actualIn.join(', ')}]`,
    );
  }
  const missingOut = contract.outputs.filter(
    (t) => t.name !== null && !t.optional && !declaredName(t, actualOut),
  );
  if (missingOut.length) {
    problems.push(
      `outputs missing: expected [${expectedOut.join(', ')}], got [${actualOut.join(', ')}]`,
    );
  }

  const compare = (specs: TensorSpec[], got: DeclaredTensor[], kind: string) => {
    specs.forEach((spec, i) => {
      const name = declaredName(
        spec,
        got.map((g) => g.name),
      );
      const d = spec.name === null ? got[i] : got.find((g) => g.name === name);
      if (!d) return;
      if (d.type && d.type !== spec.dtype) {
        problems.push(`${kind} ${d.name}: dtype ${d.type}, expected ${spec.dtype}`);
      }
      if (d.shape) {
        const ranks = [spec.shape.length, ...spec.otherRanks];
        if (!ranks.includes(d.shape.length)) {
          problems.push(
            `${kind} ${d.name}: rank ${d.shape.length} [${d.shape.join(',')}], expected rank ${ranks.join(' or ')} [${spec.shape.join(',')}]`,
          );
          return;
        }
        // Another rank drops or adds leading dims: compare the trailing ones.
        const offset = spec.shape.length - d.shape.length;
        spec.shape.forEach((want, k) => {
          const have = d.shape?.[k - offset];
          if (typeof want === 'number' && typeof have === 'number' && want !== have) {
            problems.push(`${kind} ${d.name}: dim ${k - offset} is ${have}, expected ${want}`);
          }
        });
      }
    });
  };
  compare(contract.inputs, declared.inputs, 'input');
  compare(contract.outputs, declared.outputs, 'output');

  return {
    ok: problems.length === 0,
    problems,
    expected: { inputs: expectedIn, outputs: expectedOut },
    actual: { inputs: actualIn, outputs: actualOut },
  };
}

/** What an onnxruntime-node session declares, in the shape checkContract reads. */
export function describeSession(session: {
  inputNames: readonly string[];
  outputNames: readonly string[];
  inputMetadata?: readonly unknown[];
  outputMetadata?: readonly unknown[];
}): DeclaredGraph {
  const meta = (names: readonly string[], md: readonly unknown[] | undefined) =>
    names.map((name, i) => {
      const m = md?.[i] as
        { isTensor?: boolean; type?: string; shape?: (number | string)[] } | undefined;
      return m?.isTensor ? { name, type: m.type ?? null, shape: m.shape ?? null } : { name };
    });
  return {
    inputs: meta(session.inputNames, session.inputMetadata),
    outputs: meta(session.outputNames, session.outputMetadata),
  };
}
