import './zod-setup';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { connectedServer, errorText, initClient } from './api/client';
import { App } from './app/App';
import './styles.css';

const rootEl = document.getElementById('root');
if (!rootEl) throw new Error('#root missing from index.html');
const root = createRoot(rootEl);

let startupError: string | null = null;
try {
  // In the desktop app, connected to a team server: that server instead of the local engine.
  initClient(await connectedServer());
} catch (err) {
  startupError = errorText(err);
}

root.render(
  <StrictMode>
    {startupError === null ? (
      <App />
    ) : (
      <div className="startup-error" role="alert" data-testid="startup-error">
        <h1>Spatial QA Workstation</h1>
        <p>{startupError}</p>
      </div>
    )}
  </StrictMode>,
);
