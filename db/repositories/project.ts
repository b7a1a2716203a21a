import type { Database } from 'better-sqlite3';

export interface ProjectRow {
  id: string;
  name: string;
  createdAt: string;
}

export class ProjectRepository {
  constructor(private readonly db: Database) {}

  exists(): boolean {
    return this.db.prepare('SELECT 1 FROM project LIMIT 1').get() !== undefined;
  }

  get(): ProjectRow {
    const row = this.db
      .prepare('SELECT id, name, created_at AS createdAt FROM project LIMIT 1')
      .get() as ProjectRow | undefined;
    if (!row) throw new Error('project row missing');
    return row;
  }

  create(p: { id: string; name: string }): ProjectRow {
    const createdAt = new Date().toISOString();
    this.db
      .prepare('INSERT INTO project (id, name, created_at) VALUES (?, ?, ?)')
      .run(p.id, p.name, createdAt);
    return { ...p, createdAt };
  }

  rename(name: string): void {
    this.db.prepare('UPDATE project SET name = ?').run(name);
  }
}
