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

export interface ForeignKeyShape {
  columns: string[];
  table: string;
  /** Referenced columns; empty = the referenced table's primary key. */
  to: string[];
  onDelete: string;
  onUpdate: string;
}

export interface IndexShape {
  name: string;
  columns: string[];
  unique: boolean;
  /** A partial index's condition (SQL as declared), or null. */
  where: string | null;
}

export interface TableShape {
  name: string;
  columns: ColumnShape[];
  primaryKey: string[];
  /** Tables this one references. */
  references: string[];
  foreignKeys: ForeignKeyShape[];
  /** Declared indexes and UNIQUE constraints (not the primary key's). */
  indexes: IndexShape[];
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
    const fks = db.pragma(`foreign_key_list("${name}")`) as Array<{
      id: number;
      seq: number;
      table: string;
      from: string;
      to: string | null;
      on_update: string;
      on_delete: string;
    }>;
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
      foreignKeys: foreignKeys(fks),
      indexes: indexes(db, name),
    };
  });
  return dependencyOrder(shapes);
}

function foreignKeys(
  rows: Array<{
    id: number;
    seq: number;
    table: string;
    from: string;
    to: string | null;
    on_update: string;
    on_delete: string;
  }>,
): ForeignKeyShape[] {
  const byId = new Map<number, typeof rows>();
  for (const r of rows) byId.set(r.id, [...(byId.get(r.id) ?? []), r]);
  return [...byId.values()].map((parts) => {
    const ordered = [...parts].sort((a, b) => a.seq - b.seq);
    return {
      columns: ordered.map((p) => p.from),
      table: ordered[0]!.table,
      to: ordered.every((p) => p.to) ? ordered.map((p) => p.to!) : [],
      onDelete: ordered[0]!.on_delete,
      onUpdate: ordered[0]!.on_update,
    };
  });
}

function indexes(db: Database, table: string): IndexShape[] {
  const list = db.pragma(`index_list("${table}")`) as Array<{
    name: string;
    unique: number;
    origin: string;
    partial: number;
  }>;
  return list
    .filter((i) => i.origin !== 'pk')
    .map((i) => {
      const columns = (
        db.pragma(`index_info("${i.name}")`) as Array<{ seqno: number; name: string | null }>
      )
        .sort((a, b) => a.seqno - b.seqno)
        .map((c) => c.name);
      if (columns.some((c) => c === null))
        throw new Error(`index ${i.name} on ${table} is on an expression: not copied by its shape`);
      let where: string | null = null;
      if (i.partial) {
        const sql = (
          db
            .prepare("SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?")
            .get(i.name) as {
            sql: string;
          }
        ).sql;
        where = sql
          .slice(sql.search(/\sWHERE\s/i))
          .replace(/^\s*WHERE\s+/i, '')
          .trim();
      }
      return {
        // A UNIQUE constraint's index is SQLite's sqlite_autoindex_*: named as PostgreSQL would.
        name: i.origin === 'u' ? `${table}_${columns.join('_')}_key` : i.name,
        columns: columns as string[],
        unique: i.unique === 1,
        where,
      };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
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
