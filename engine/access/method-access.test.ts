import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { lookupMethod, methodNames } from '../../contract/api';
import { METHOD_ACCESS, accessOf, roleAllows } from './method-access';

describe('the method access table', () => {
  it('has an entry for every contract method, and none for methods that do not exist', () => {
    const missing = methodNames.filter((m) => accessOf(m) === undefined);
    expect(missing).toEqual([]);
    expect(Object.keys(METHOD_ACCESS).sort()).toEqual([...methodNames].sort());
    expect(accessOf('__proto__')).toBeUndefined();
    expect(accessOf('constructor')).toBeUndefined();
  });

  it('marks as acting only methods whose input names a reviewer', () => {
    for (const [method, access] of Object.entries(METHOD_ACCESS)) {
      if (!access.actor) continue;
      const input = lookupMethod(method)!.input as z.ZodObject<z.ZodRawShape>;
      expect(Object.keys(input.shape), method).toContain('reviewer');
    }
  });

  it('lets viewers only read: every decision and edit needs at least the reviewer role', () => {
    const writes = methodNames.filter((m) =>
      /^(reviews\.(record|decide|bulk|undo|redo)|objects\.(create|update|delete|exclude|setAttributes|pickReferent|setMask|split|merge)|claims\.(take|release))$/.test(
        m,
      ),
    );
    expect(writes.length).toBe(16);
    for (const m of writes) expect(roleAllows('viewer', accessOf(m)!.role), m).toBe(false);
    for (const m of ['pipeline.start', 'exports.start', 'projects.open', 'imports.start'])
      expect(roleAllows('reviewer', accessOf(m)!.role), m).toBe(false);
    expect(roleAllows('admin', 'reviewer')).toBe(true);
  });
});
