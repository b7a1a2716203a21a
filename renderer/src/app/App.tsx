// Top level: picks the project (first of projects.list, selector when several), links the workspace
// sections (Batches · Review queue · Jobs · Models · Export & Evaluation) in the top bar, and routes
// between their pages and the image view.
import { useEffect, useState } from 'react';
import type { ProjectSummary } from '../../../contract/entities';
import { getBridge } from '../api/bridge';
import { api, errorText, teamServerOrigin } from '../api/client';
import { BatchesPage } from '../pages/BatchesPage';
import { ExportPage } from '../pages/ExportPage';
import { ImageView } from '../pages/ImageView';
import { ReviewQueuePage } from '../pages/ReviewQueuePage';
import { JobsPanel } from '../panels/JobsPanel';
import { ModelsPanel } from '../panels/ModelsPanel';
import { BatchScrollBench } from '../batch/BatchScrollBench';
import { ViewerBench } from '../viewer3d/ViewerBench';
import { ActivityFeed } from '../team/ActivityFeed';
import { ConnectServerDialog } from '../team/ConnectServerDialog';
import { useTeamSession } from '../team/use-team';
import { useConnected, useEngineEvents, useLoad } from './hooks';
import { routeHref, SECTIONS, sectionOf, useRoute } from './router';

const PROJECT_KEY = 'sqw.projectId';

export function App() {
  const route = useRoute();
  const connected = useConnected();
  const [projects, reloadProjects] = useLoad(() => api.projects.list({}), []);
  // One subscription for the app's lifetime keeps the event socket open on every page.
  useEngineEvents((e) => {
    if (e.type === 'images-changed') reloadProjects();
  });
  const [projectId, setProjectId] = useState<string | null>(() => safeGet(PROJECT_KEY));

  const list: ProjectSummary[] = projects.data ?? [];
  const project = list.find((p) => p.id === projectId) ?? list[0] ?? null;
  useEffect(() => {
    if (project && project.id !== projectId) setProjectId(project.id);
  }, [project, projectId]);
  // Claims and other reviewers' activity follow the open project (team/team-store.ts).
  useTeamSession(project?.id ?? null);

  const chooseProject = (id: string) => {
    setProjectId(id);
    safeSet(PROJECT_KEY, id);
    window.location.hash = routeHref({ page: 'batches', batchId: null });
  };

  const [menuError, setMenuError] = useState<string | null>(null);
  const [importRequest, setImportRequest] = useState(0);
  const [connecting, setConnecting] = useState(false);
  const teamServer = teamServerOrigin();
  // Electron's application menu: open another project folder, or import a folder.
  useEffect(() => {
    const bridge = getBridge();
    if (!bridge?.onMenuCommand) return;
    return bridge.onMenuCommand((command) => {
      if (command === 'connect-server') {
        setConnecting(true);
      } else if (command === 'import-folder') {
        if (!window.location.hash.startsWith('#/batches'))
          window.location.hash = routeHref({ page: 'batches', batchId: null });
        setImportRequest((n) => n + 1);
      } else if (command === 'open-project') {
        bridge
          .pickFolder()
          .then(async (path) => {
            if (!path) return;
            const opened = await api.projects.open({ path });
            setMenuError(null);
            reloadProjects();
            chooseProject(opened.id);
          })
          .catch((err: unknown) => setMenuError(`Could not open the project: ${errorText(err)}`));
      }
    });
  }, [reloadProjects]);

  return (
    <div className="app">
      <header className="topbar">
        <a className="brand" href="#/batches">
          <span className="brand-mark" aria-hidden="true" />
          Spatial QA Workstation
        </a>
        <nav className="section-nav" aria-label="Workspace" data-testid="section-nav">
          {SECTIONS.map((s) => (
            <a
              key={s.page}
              href={`#/${s.page}`}
              className={`section-link${sectionOf(route) === s.page ? ' active' : ''}`}
              aria-current={sectionOf(route) === s.page ? 'page' : undefined}
              data-testid={`nav-${s.page}`}
            >
              {s.title}
            </a>
          ))}
        </nav>
        <div className="topbar-spacer" />
        {list.length > 1 ? (
          <label className="project-select">
            <span>Project</span>
            <select
              value={project?.id ?? ''}
              onChange={(e) => chooseProject(e.target.value)}
              data-testid="project-select"
            >
              {list.map((p) => (
                <option key={p.id} value={p.id}>
                  {p.name}
                </option>
              ))}
            </select>
          </label>
        ) : project ? (
          <span className="project-name" title={project.path}>
            {project.name}
          </span>
        ) : null}
        {teamServer && (
          <span className="team-server" data-testid="team-server">
            <span title="This window works on a team server">{new URL(teamServer).host}</span>
            <button
              type="button"
              className="link-btn small"
              onClick={() => void getBridge()?.disconnectServer?.()}
            >
              Disconnect
            </button>
          </span>
        )}
        <span
          className={`conn ${connected ? 'conn-on' : 'conn-off'}`}
          title={connected ? 'Live updates connected' : 'Live updates disconnected; retrying'}
        >
          {connected ? 'live' : 'offline'}
        </span>
      </header>
      <main className="content">
        {menuError && (
          <div className="banner error-text" role="alert">
            {menuError}
            <button type="button" className="link-btn small" onClick={() => setMenuError(null)}>
              Dismiss
            </button>
          </div>
        )}
        {projects.state === 'error' ? (
          <div className="panel error-text" role="alert">
            Could not list projects: {projects.error}
          </div>
        ) : !project ? (
          <div className="panel muted">
            {projects.state === 'loading' ? 'Loading…' : 'No project is open.'}
          </div>
        ) : route.page === 'image' ? (
          <ImageView key={project.id} projectId={project.id} imageId={route.imageId} />
        ) : route.page === 'review' ? (
          <ReviewQueuePage key={project.id} projectId={project.id} batchId={route.batchId} />
        ) : route.page === 'jobs' ? (
          <div className="workspace-page" data-testid="jobs-page">
            <JobsPanel key={project.id} projectId={project.id} />
          </div>
        ) : route.page === 'models' ? (
          <div className="workspace-page" data-testid="models-page">
            <ModelsPanel key={project.id} projectId={project.id} />
          </div>
        ) : route.page === 'export' ? (
          <ExportPage key={project.id} projectId={project.id} />
        ) : route.page === 'bench' ? (
          route.which === '3d' ? (
            <ViewerBench />
          ) : (
            <BatchScrollBench />
          )
        ) : (
          <BatchesPage
            key={project.id}
            projectId={project.id}
            batchId={route.batchId}
            importRequest={importRequest}
          />
        )}
      </main>
      <ActivityFeed />
      {connecting && <ConnectServerDialog onClose={() => setConnecting(false)} />}
    </div>
  );
}

function safeGet(key: string): string | null {
  try {
    return window.localStorage.getItem(key);
  } catch {
    return null;
  }
}
function safeSet(key: string, value: string): void {
  try {
    window.localStorage.setItem(key, value);
  } catch {
    // ignore
  }
}
