// Import issues as plain text rows (paths and reasons come from files on disk: never markup).
import type { ImportIssue } from '../../../contract/entities';
import { PathText } from './PathText';

export function IssueList({ issues, max = 200 }: { issues: ImportIssue[]; max?: number }) {
  const shown = issues.slice(0, max);
  return (
    <ul className="issues" data-testid="issue-list">
      {shown.map((issue, i) => (
        <li key={`${i}:${issue.path}`} className={`issue issue-${issue.kind}`} data-testid="issue">
          <span className={`badge badge-${issue.kind}`}>{issue.kind}</span>
          <PathText className="issue-path" path={issue.path} />
          <span className="issue-reason">{issue.reason}</span>
        </li>
      ))}
      {issues.length > max && <li className="muted">…and {issues.length - max} more</li>}
    </ul>
  );
}
