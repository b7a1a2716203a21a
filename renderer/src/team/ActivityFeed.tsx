// Other reviewers' recent review actions: a toast for each new one and a small feed to open.
// Shown only once someone else has done something (a single user never sees it).
import { useState } from 'react';
import { useShallow } from 'zustand/shallow';
import { describeActivity } from './activity';
import { teamStore, useTeam } from './use-team';

export function ActivityFeed() {
  const { activity, toasts } = useTeam(
    useShallow((s) => ({ activity: s.activity, toasts: s.toasts })),
  );
  const [open, setOpen] = useState(false);
  if (activity.length === 0) return null;
  const shown = activity.filter((a) => toasts.includes(a.id));
  const time = (at: number) => new Date(at).toISOString().slice(11, 19);
  return (
    <div className="activity" data-testid="activity">
      {shown.length > 0 && !open && (
        <ul className="activity-toasts" aria-live="polite">
          {shown.map((a) => (
            <li key={a.id} className="activity-toast" data-testid="activity-toast">
              <strong>{a.actor}</strong> {describeActivity(a)}
              <button
                type="button"
                className="link-btn small"
                aria-label="Dismiss"
                onClick={() => teamStore.getState().dismissToast(a.id)}
              >
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
      {open && (
        <section className="activity-feed panel" aria-label="Team activity">
          <h3>Team activity</h3>
          <ul>
            {activity.map((a) => (
              <li key={a.id} data-testid="activity-item" data-actor={a.actor}>
                <span className="muted small">{time(a.at)}</span> <strong>{a.actor}</strong>{' '}
                {describeActivity(a)}
              </li>
            ))}
          </ul>
        </section>
      )}
      <button
        type="button"
        className="btn btn-small activity-toggle"
        onClick={() => setOpen((o) => !o)}
        aria-expanded={open}
        data-testid="activity-toggle"
      >
        {open ? 'Hide activity' : `Team activity (${activity.length})`}
      </button>
    </div>
  );
}
