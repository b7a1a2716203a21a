// The app's one team store, wired to the engine client, and the hook that feeds it the open
// project and the engine's events for the app's lifetime.
import { useEffect } from 'react';
import { useStore } from 'zustand';
import { api, errorText, events } from '../api/client';
import { reviewerName } from '../review/reviewer';
import { createTeamStore, type TeamActions, type TeamState } from './team-store';

export const teamStore = createTeamStore({
  me: async (projectId) => (await api.claims.me({ projectId, reviewer: reviewerName() })).name,
  list: (projectId) => api.claims.list({ projectId }),
  take: (projectId, slice) => api.claims.take({ projectId, ...slice, reviewer: reviewerName() }),
  release: async (projectId, claimId) =>
    (await api.claims.release({ projectId, claimId, reviewer: reviewerName() })).released,
  imageName: async (projectId, imageId) => (await api.images.get({ projectId, imageId })).fileName,
  errorText,
  now: () => Date.now(),
  setTimer: (fn, ms) => setTimeout(fn, ms),
  clearTimer: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
});

/** Keeps the team store on the open project and hands it every engine event. */
export function useTeamSession(projectId: string | null): void {
  useEffect(() => {
    if (projectId !== null) void teamStore.getState().open(projectId);
  }, [projectId]);
  useEffect(() => events.subscribe((e) => teamStore.getState().handleEvent(e)), []);
}

export function useTeam<T>(select: (s: TeamState & TeamActions) => T): T {
  return useStore(teamStore, select);
}
