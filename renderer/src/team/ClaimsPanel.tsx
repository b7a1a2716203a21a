// The claims on slices of the review queue, on the review queue page: take a slice (this batch, a
// QA family, an object label: every one chosen must match), see who holds which slice until when,
// release your own. State and actions are the team store's (team-store.ts).
import { useState } from 'react';
import { useShallow } from 'zustand/shallow';
import { api } from '../api/client';
import { useLoad } from '../app/hooks';
import { describeClaimSlice } from './team-store';
import { teamStore, useTeam } from './use-team';

export function ClaimsPanel({ projectId, batchId }: { projectId: string; batchId: number }) {
  const t = useTeam(
    useShallow((s) => ({
      me: s.me,
      claims: s.claims,
      loaded: s.claimsLoaded,
      error: s.claimsError,
      notice: s.notice,
      busy: s.busy,
    })),
  );
  const [options] = useLoad(
    () => api.images.filterOptions({ projectId, batchId }),
    [projectId, batchId],
  );
  const [wholeBatch, setWholeBatch] = useState(true);
  const [family, setFamily] = useState('');
  const [label, setLabel] = useState('');
  const canTake = wholeBatch || family !== '' || label !== '';
  const { take, release } = teamStore.getState();
  return (
    <section className="claims-panel" aria-labelledby="claims-title" data-testid="claims-panel">
      <div className="claims-head">
        <h3 id="claims-title">Claims</h3>
        {t.me && (
          <span className="muted small" data-testid="claims-me">
            you are {t.me}
          </span>
        )}
      </div>
      <div className="claims-take">
        <label className="small">
          <input
            type="checkbox"
            checked={wholeBatch}
            onChange={(e) => setWholeBatch(e.target.checked)}
            data-testid="claim-batch"
          />{' '}
          batch #{batchId}
        </label>
        <select
          value={family}
          onChange={(e) => setFamily(e.target.value)}
          aria-label="Claim family"
          data-testid="claim-family"
        >
          <option value="">any family</option>
          {(options.data?.families ?? []).map((f) => (
            <option key={f} value={f}>
              {f}
            </option>
          ))}
        </select>
        <select
          value={label}
          onChange={(e) => setLabel(e.target.value)}
          aria-label="Claim label"
          data-testid="claim-label"
        >
          <option value="">any label</option>
          {(options.data?.labels ?? []).map((l) => (
            <option key={l} value={l}>
              {l}
            </option>
          ))}
        </select>
        <button
          type="button"
          className="btn btn-small"
          disabled={!canTake || t.busy}
          onClick={() =>
            void take({
              ...(wholeBatch ? { batchId } : {}),
              ...(family ? { family } : {}),
              ...(label ? { label } : {}),
            })
          }
          data-testid="claim-take"
        >
          Take slice
        </button>
      </div>
      {t.error && (
        <p className="error-text small" role="alert" data-testid="claims-error">
          {t.error}
        </p>
      )}
      {!t.error && t.notice && (
        <p className="muted small" role="status" data-testid="claims-notice">
          {t.notice}
        </p>
      )}
      {t.loaded && t.claims.length === 0 && (
        <p className="muted small">Nobody holds a slice: anyone may decide any QA.</p>
      )}
      <ul className="claims-list">
        {t.claims.map((c) => {
          const mine = c.holder === t.me;
          return (
            <li
              key={c.id}
              className={`claim${mine ? ' claim-mine' : ''}`}
              data-testid="claim"
              data-holder={c.holder}
              data-mine={mine ? 'true' : 'false'}
            >
              <span className="claim-holder">{mine ? `${c.holder} (you)` : c.holder}</span>
              <span className="claim-slice">{describeClaimSlice(c)}</span>
              <span className="muted small">until {c.expiresAt.slice(11, 16)} UTC</span>
              {mine && (
                <button
                  type="button"
                  className="link-btn small"
                  disabled={t.busy}
                  onClick={() => void release(c.id)}
                  data-testid="claim-release"
                >
                  Release
                </button>
              )}
            </li>
          );
        })}
      </ul>
    </section>
  );
}
