// Team review state of the open project in one store: who this client acts as, the live claims on
// slices of the queue (taken and released through the engine's claims API), and the activity feed
// of other reviewers' review events with its toasts. The claims are server state: the store keeps
// the last answer of claims.list and asks again whenever a 'claims-changed' event arrives (and
// when a claim should have expired), the way the pages reload on engine events.
//
// A zustand vanilla store, like the image editor's: the actions run from the event subscription
// and the panels alike, and Vitest drives them in Node with fake ports.
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { EngineEvent } from '../../../contract/api';
import type { Claim } from '../../../contract/claims';
import { addToFeed, type ActivityItem } from './activity';

export interface Slice {
  batchId?: number;
  family?: string;
  label?: string;
}

/** What the store needs from the engine (the renderer's api client in the app). */
export interface TeamPorts {
  me(projectId: string): Promise<string>;
  list(projectId: string): Promise<Claim[]>;
  take(projectId: string, slice: Slice): Promise<{ claim: Claim; open: number }>;
  release(projectId: string, claimId: number): Promise<boolean>;
  imageName(projectId: string, imageId: number): Promise<string | null>;
  errorText(err: unknown): string;
  now(): number;
  setTimer(fn: () => void, ms: number): unknown;
  clearTimer(handle: unknown): void;
}

export interface TeamState {
  projectId: string | null;
  /** The name this client acts under (the account's, on an accounts-mode server). */
  me: string | null;
  claims: Claim[];
  claimsLoaded: boolean;
  /** The last failure of listing, taking or releasing, as the engine said it. */
  claimsError: string | null;
  /** A take or release is in flight. */
  busy: boolean;
  /** What the last take said (e.g. "You hold family distance: 12 open QA"). */
  notice: string | null;
  /** Other reviewers' review events, newest first. */
  activity: ActivityItem[];
  /** Ids of activity lines shown as toasts right now. */
  toasts: number[];
}

export interface TeamActions {
  /** Switches to a project: forgets the old one's state and loads who we are and the claims. */
  open(projectId: string): Promise<void>;
  refreshClaims(): Promise<void>;
  take(slice: Slice): Promise<boolean>;
  release(claimId: number): Promise<boolean>;
  /** One engine event: review events of others go to the feed, claim changes reload the claims. */
  handleEvent(event: EngineEvent): void;
  dismissToast(id: number): void;
}

export type TeamStore = StoreApi<TeamState & TeamActions>;

export const TOAST_MS = 6000;

const EMPTY: TeamState = {
  projectId: null,
  me: null,
  claims: [],
  claimsLoaded: false,
  claimsError: null,
  busy: false,
  notice: null,
  activity: [],
  toasts: [],
};

/** "family distance", "batch 2 · label door". */
export function describeClaimSlice(c: Pick<Claim, 'batchId' | 'family' | 'label'>): string {
  const parts: string[] = [];
  if (c.batchId !== null) parts.push(`batch ${c.batchId}`);
  if (c.family !== null) parts.push(`family ${c.family}`);
  if (c.label !== null) parts.push(`label ${c.label}`);
  return parts.join(' · ');
}

export function createTeamStore(ports: TeamPorts): TeamStore {
  let expiryTimer: unknown = null;
  /** File names of images, asked once each. */
  const names = new Map<string, Promise<string | null>>();
  return createStore<TeamState & TeamActions>()((set, get) => {
    /** Reloads the claims when the soonest one runs out (claims expire without an event). */
    const watchExpiry = (claims: Claim[]) => {
      if (expiryTimer !== null) ports.clearTimer(expiryTimer);
      expiryTimer = null;
      const soonest = Math.min(...claims.map((c) => Date.parse(c.expiresAt)));
      if (!Number.isFinite(soonest)) return;
      // At most a day ahead: timers do not take larger delays.
      const wait = Math.min(86_400_000, Math.max(0, soonest - ports.now()) + 500);
      expiryTimer = ports.setTimer(() => void get().refreshClaims(), wait);
    };
    /** Runs only while `projectId` is still the open project. */
    const current = (projectId: string) => get().projectId === projectId;

    const actions: TeamActions = {
      open: async (projectId) => {
        if (get().projectId === projectId) return;
        set({ ...EMPTY, projectId });
        try {
          const me = await ports.me(projectId);
          if (current(projectId)) set({ me });
        } catch (err) {
          if (current(projectId)) set({ claimsError: ports.errorText(err) });
        }
        await get().refreshClaims();
      },
      refreshClaims: async () => {
        const { projectId } = get();
        if (projectId === null) return;
        try {
          const claims = await ports.list(projectId);
          if (!current(projectId)) return;
          set({ claims, claimsLoaded: true, claimsError: null });
          watchExpiry(claims);
        } catch (err) {
          if (current(projectId)) set({ claimsError: ports.errorText(err) });
        }
      },
      take: async (slice) => {
        const { projectId } = get();
        if (projectId === null) return false;
        set({ busy: true, claimsError: null, notice: null });
        try {
          const { claim, open } = await ports.take(projectId, slice);
          if (!current(projectId)) return false;
          // The server names the holder: on an accounts server that is who we really are.
          set({
            me: claim.holder,
            notice: `You hold ${describeClaimSlice(claim)}: ${open} open QA until ${claim.expiresAt.slice(11, 16)} UTC`,
          });
          await get().refreshClaims();
          return true;
        } catch (err) {
          if (current(projectId)) set({ claimsError: ports.errorText(err) });
          return false;
        } finally {
          if (current(projectId)) set({ busy: false });
        }
      },
      release: async (claimId) => {
        const { projectId } = get();
        if (projectId === null) return false;
        set({ busy: true, claimsError: null, notice: null });
        try {
          const released = await ports.release(projectId, claimId);
          if (!current(projectId)) return false;
          await get().refreshClaims();
          if (!released && current(projectId))
            set({ claimsError: `Claim ${claimId} is not yours, or has already ended` });
          return released;
        } catch (err) {
          if (current(projectId)) set({ claimsError: ports.errorText(err) });
          return false;
        } finally {
          if (current(projectId)) set({ busy: false });
        }
      },
      handleEvent: (event) => {
        const { projectId, me } = get();
        if (projectId === null || event.projectId !== projectId) return;
        if (event.type === 'claims-changed') {
          void get().refreshClaims();
          return;
        }
        // Our own commands are on our screen already; the feed is for the others'.
        if (event.type !== 'review' || event.op === 'log' || event.actor === me) return;
        const activity = addToFeed(get().activity, event, ports.now());
        const top = activity[0]!;
        set({ activity, toasts: [top.id, ...get().toasts.filter((id) => id !== top.id)] });
        // A line that folded in another event since stays up for the full time again.
        ports.setTimer(() => {
          const line = get().activity.find((a) => a.id === top.id);
          if (!line || ports.now() - line.at >= TOAST_MS - 50) get().dismissToast(top.id);
        }, TOAST_MS);
        if (top.imageId !== null && top.imageName === null) {
          const { imageId } = top;
          let name = names.get(`${projectId}:${imageId}`);
          if (!name) {
            name = ports.imageName(projectId, imageId);
            names.set(`${projectId}:${imageId}`, name);
          }
          void name.then(
            (name) => {
              if (name === null || !current(projectId)) return;
              set({
                activity: get().activity.map((a) =>
                  a.imageId === imageId ? { ...a, imageName: name } : a,
                ),
              });
            },
            () => undefined,
          );
        }
      },
      dismissToast: (id) => set({ toasts: get().toasts.filter((t) => t !== id) }),
    };
    return { ...EMPTY, ...actions };
  });
}
