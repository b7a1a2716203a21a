// What the team service hands the review handlers kept in their own files (team-checks.ts,
// team-evidence.ts): the project, and the service's own project check, undo state, live events,
// error mapping and clock, so there is one of each.
import type { HistoryState } from '../../contract/review';
import type { AuditEntryRow } from '../../db/repositories/annotations';
import type { TeamProject } from './team-project';

export interface TeamReviewContext {
  project: TeamProject;
  /** Throws not-found unless `projectId` is this project. */
  check(projectId: string): void;
  history(reviewer: string | undefined): Promise<HistoryState>;
  /** Pushes a review command to the other reviewers. */
  announce(entry: AuditEntryRow): void;
  /** Store errors as the codes a client acts on. */
  mapped<T>(work: () => Promise<T>): Promise<T>;
  /** The clock claims are judged by. */
  now(): number;
}
