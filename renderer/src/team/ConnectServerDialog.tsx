// "Connect to server…" (the desktop app's File menu): the team server's URL and the person's
// account token. The main process checks both (electron/remote-server.ts: https, or http only to
// this machine) and reloads the window onto that server; a refusal comes back as its reason.
import { useState } from 'react';
import { getBridge } from '../api/bridge';
import { errorText } from '../api/client';

export function ConnectServerDialog({ onClose }: { onClose: () => void }) {
  const [url, setUrl] = useState('');
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const connect = getBridge()?.connectServer;
  const submit = async () => {
    if (!connect) return;
    setBusy(true);
    setError(null);
    try {
      const out = await connect(url, token);
      // On success the window reloads onto the server; nothing more to do here.
      if (!out.ok) setError(out.reason);
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="key-help-backdrop" role="presentation">
      <form
        className="panel connect-dialog"
        role="dialog"
        aria-labelledby="connect-title"
        data-testid="connect-dialog"
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <h2 id="connect-title">Connect to a team server</h2>
        <label className="field">
          <span>Server URL</span>
          <input
            type="text"
            value={url}
            onChange={(e) => setUrl(e.target.value)}
            placeholder="https://review.lab.example:8443"
            autoComplete="off"
            spellCheck={false}
            data-testid="connect-url"
          />
        </label>
        <label className="field">
          <span>Account token</span>
          <input
            type="password"
            value={token}
            onChange={(e) => setToken(e.target.value)}
            placeholder="sqw_…"
            autoComplete="off"
            data-testid="connect-token"
          />
        </label>
        <p className="muted small">
          https:// is required, except for a server on this machine (an SSH tunnel). The token is
          kept in memory for this session only.
        </p>
        {error && (
          <p className="error-text small" role="alert" data-testid="connect-error">
            {error}
          </p>
        )}
        <div className="dialog-actions">
          <button type="button" className="btn" onClick={onClose}>
            Cancel
          </button>
          <button
            type="submit"
            className="btn btn-primary"
            disabled={busy || !connect}
            data-testid="connect-submit"
          >
            Connect
          </button>
        </div>
      </form>
    </div>
  );
}
