// The boundary every call crosses, whatever the transport: method lookup, input validation,
// the call, output validation, and errors mapped to codes a client can act on.
import { z } from 'zod';
import { lookupMethod } from '../../contract/api';
import type { ApiHandlers } from '../../contract/api';
import type { RpcResponse } from '../../contract/transport';
import { ConflictError, NotAvailableError, NotFoundError, UserInputError } from '../errors';

export type Dispatch = (method: string, input: unknown) => Promise<RpcResponse>;

export function createDispatcher(handlers: ApiHandlers): Dispatch {
  return async (method, input) => {
    const spec = lookupMethod(method);
    if (!spec)
      return {
        ok: false,
        error: {
          code: 'unknown-method',
          message: `unknown method: ${String(method).slice(0, 100)}`,
        },
      };
    const parsed = spec.input.safeParse(input ?? {});
    if (!parsed.success) {
      return {
        ok: false,
        error: { code: 'invalid-input', message: `${method}: ${describeIssues(parsed.error)}` },
      };
    }
    const [ns, fn] = method.split('.') as [string, string];
    const group = handlers[ns as keyof ApiHandlers] as unknown as Record<
      string,
      (i: unknown) => Promise<unknown>
    >;
    let result: unknown;
    try {
      result = await group[fn]!(parsed.data);
    } catch (err) {
      const code =
        err instanceof NotFoundError
          ? 'not-found'
          : err instanceof ConflictError
            ? 'conflict'
            : err instanceof UserInputError
              ? 'invalid-input'
              : err instanceof NotAvailableError
                ? 'not-available'
                : 'failed';
      return { ok: false, error: { code, message: (err as Error).message ?? String(err) } };
    }
    const out = spec.output.safeParse(result);
    if (!out.success) {
      // A bug on our side: say so rather than hand the UI data that breaks the contract.
      return {
        ok: false,
        error: {
          code: 'invalid-output',
          message: `${method} returned data that breaks the contract: ${describeIssues(out.error)}`,
        },
      };
    }
    return { ok: true, result: out.data };
  };
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((i) => `${i.path.length ? i.path.join('.') : 'input'}: ${i.message}`)
    .join('; ');
}
