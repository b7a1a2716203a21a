// The tables of a desktop project database as data: columns, primary key and the order that
// satisfies foreign keys. `sqw project copy` moves every table by this description, so a table
// the typed layer does not cover yet (jobs, objects, scene graphs, …) is copied all the same.
import type { Database } from 'better-sqlite3';

export interface ColumnShape {
  name: string;
  /** Declared SQLite type, upper case ('' when none). */
  type: string;
  notNull: boolean;
  /** SQL default expression as declared, or null. */
  defaultSql: string | null;
}

export interface TableShape {
  name: string;
  columns: ColumnShape[];
  primaryKey: string[];
  /** Tables this one references. */
  references: string[];
}

/** Every table of the database (no views, no SQLite internals), referenced tables first. */
export function sqliteTableShapes(db: Database): TableShape[] {
  const names = (
    db
      .prepare(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name",
      )
      .all() as Array<{ name: string }>
  ).map((r) => r.name);
  const shapes = names.map((name): TableShape => {
    const info = db.pragma(`table_info("${name}")`) as Array<{
      name: string;
      type: string;
      notnull: number;
      dflt_value: string | null;
      pk: number;
    }>;
    const fks = db.pragma(`foreign_key_list("${name}")`) as Array<{ table: string }>;
    return {
      name,
      columns: info.map((c) => ({
        name: c.name,
        type: c.type.toUpperCase(),
        notNull: c.notnull === 1,
        defaultSql: c.dflt_value,
      })),
      primaryKey: info
        .filter((c) => c.pk > 0)
        .sort((a, b) => a.pk - b.pk)
        .map((c) => c.name),
      references: [...new Set(fks.map((f) => f.table).filter((t) => t !== name))],
    };
  });
  return dependencyOrder(shapes);
}

function dependencyOrder(shapes: TableShape[]): TableShape[] {
  const byName = new Map(shapes.map((s) => [s.name, s]));
  const done = new Set<string>();
  const out: TableShape[] = [];
  const visit = (s: TableShape, path: Set<string>) => {
    if (done.has(s.name)) return;
    if (path.has(s.name)) throw new Error(`foreign keys form a cycle through table ${s.name}`);
    path.add(s.name);
    for (const r of s.references) {
      const ref = byName.get(r);
      if (ref) visit(ref, path);
    }
    path.delete(s.name);
    done.add(s.name);
    out.push(s);
  };
  for (const s of shapes) visit(s, new Set());
  return out;
}

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
