// A second process for sqlite-migrations.test.ts: opens a project file with the desktop's
// connection settings, says 'ready', and on 'go' (stdin) migrates it and prints what it ran.
import Database from 'better-sqlite3';
import { BUSY_TIMEOUT_MS } from '../../project-store';
import { migrateProjectFile } from '../sqlite-migrations';

const db = new Database(process.argv[2]!);
db.pragma('journal_mode = WAL');
db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
process.stdout.write('ready\n');
process.stdin.once('data', () => {
  const result = migrateProjectFile(db);
  db.close();
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exit(0);
});
