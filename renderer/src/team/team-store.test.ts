import { describe, expect, it } from 'vitest';
import type { Claim } from '../../../contract/claims';
import { RpcError } from '../../../contract/transport';
import { addToFeed, describeActivity, FOLD_WINDOW_MS, type ReviewEvent } from './activity';
import { createTeamStore, describeClaimSlice, TOAST_MS, type TeamPorts } from './team-store';

const review = (over: Partial<ReviewEvent> = {}): ReviewEvent => ({
  type: 'review',
  projectId: 'p',
  actor: 'bob',
  command: 'review.approve',
  target: 'qa:41',
  op: 'do',
  entryId: 1,
  imageIds: [4],
  ...over,
});

describe('activity feed lines', () => {
  it("folds one person's burst on one image into a counted line", () => {
    let feed = addToFeed([], review({ entryId: 1, target: 'qa:41' }), 1000);
    feed = addToFeed(feed, review({ entryId: 2, target: 'qa:42' }), 2000);
    feed = addToFeed(feed, review({ entryId: 3, target: 'qa:43' }), 3000);
    expect(feed).toHaveLength(1);
    expect(describeActivity({ ...feed[0]!, imageName: 'frame-0004.jpg' })).toBe(
      'approved 3 QA on frame-0004.jpg',
    );
  });

  it('starts a new line for another person, command, image or after the window', () => {
    let feed = addToFeed([], review({ entryId: 1 }), 0);
    feed = addToFeed(feed, review({ entryId: 2, actor: 'carol' }), 1);
    feed = addToFeed(feed, review({ entryId: 3, actor: 'carol', command: 'review.reject' }), 2);
    feed = addToFeed(
      feed,
      review({ entryId: 4, actor: 'carol', command: 'review.reject', imageIds: [5] }),
      3,
    );
    feed = addToFeed(
      feed,
      review({ entryId: 5, actor: 'carol', command: 'review.reject', imageIds: [5] }),
      3 + FOLD_WINDOW_MS + 1,
    );
    expect(feed.map((f) => f.id)).toEqual([5, 4, 3, 2, 1]);
    expect(describeActivity(feed[4]!)).toBe('approved QA #41 on image 4');
  });

  it('describes bulk decisions, object edits and undo', () => {
    const bulk = addToFeed(
      [],
      review({ command: 'review.bulk-reject', target: 'family:distance' }),
      0,
    );
    expect(describeActivity(bulk[0]!)).toBe('rejected the open QA of distance on image 4');
    const moved = addToFeed([], review({ command: 'object.update', target: 'object:7' }), 0);
    expect(describeActivity(moved[0]!)).toBe('update: object #7 on image 4');
    const undone = addToFeed([], review({ op: 'undo', imageIds: [] }), 0);
    expect(describeActivity(undone[0]!)).toBe('undid: approved QA #41');
  });
});

function fakePorts(claims: Claim[]) {
  const timers: Array<{ fn: () => void; ms: number }> = [];
  let now = Date.parse('2026-01-01T10:00:00Z');
  const calls: string[] = [];
  const ports: TeamPorts = {
    me: async () => 'alice',
    list: async () => {
      calls.push('list');
      return claims.filter((c) => Date.parse(c.expiresAt) > now);
    },
    take: async (_p, slice) => {
      if (slice.family === 'held')
        throw new RpcError('conflict', 'Open QA of family held is held by bob until 11:00 UTC');
      const claim: Claim = {
        id: claims.length + 1,
        holder: 'alice',
        batchId: slice.batchId ?? null,
        family: slice.family ?? null,
        label: slice.label ?? null,
        expiresAt: new Date(now + 1800_000).toISOString(),
      };
      claims.push(claim);
      return { claim, open: 12 };
    },
    release: async (_p, id) => {
      const at = claims.findIndex((c) => c.id === id && c.holder === 'alice');
      if (at < 0) return false;
      claims.splice(at, 1);
      return true;
    },
    imageName: async (_p, id) => `frame-${String(id).padStart(4, '0')}.jpg`,
    errorText: (err) => (err instanceof Error ? err.message : String(err)),
    now: () => now,
    setTimer: (fn, ms) => timers.push({ fn, ms }),
    clearTimer: () => undefined,
  };
  return { ports, timers, calls, advance: (ms: number) => (now += ms) };
}

describe('team store', () => {
  it('loads who we are and the claims, takes and releases a slice', async () => {
    const bobs: Claim = {
      id: 1,
      holder: 'bob',
      batchId: null,
      family: 'distance',
      label: null,
      expiresAt: '2026-01-01T10:30:00.000Z',
    };
    const { ports } = fakePorts([bobs]);
    const store = createTeamStore(ports);
    await store.getState().open('p');
    expect(store.getState()).toMatchObject({ me: 'alice', claims: [bobs], claimsLoaded: true });

    expect(await store.getState().take({ batchId: 2, family: 'count' })).toBe(true);
    expect(store.getState().notice).toBe(
      'You hold batch 2 · family count: 12 open QA until 10:30 UTC',
    );
    expect(store.getState().claims.map((c) => c.holder)).toEqual(['bob', 'alice']);

    expect(await store.getState().take({ family: 'held' })).toBe(false);
    expect(store.getState().claimsError).toBe(
      'Open QA of family held is held by bob until 11:00 UTC',
    );

    expect(await store.getState().release(2)).toBe(true);
    expect(store.getState().claims).toEqual([bobs]);
    expect(await store.getState().release(1)).toBe(false);
    expect(store.getState().claimsError).toMatch(/not yours/);
  });

  it('reloads the claims on claims-changed events and when the soonest claim expires', async () => {
    const claims: Claim[] = [];
    const { ports, timers, calls, advance } = fakePorts(claims);
    const store = createTeamStore(ports);
    await store.getState().open('p');
    claims.push({
      id: 9,
      holder: 'bob',
      batchId: 1,
      family: null,
      label: null,
      expiresAt: '2026-01-01T10:00:05.000Z',
    });
    store.getState().handleEvent({
      type: 'claims-changed',
      projectId: 'p',
      holder: 'bob',
      claimId: 9,
      change: 'taken',
    });
    store.getState().handleEvent({
      type: 'claims-changed',
      projectId: 'other',
      holder: 'x',
      claimId: 1,
      change: 'taken',
    });
    await Promise.resolve();
    await Promise.resolve();
    expect(store.getState().claims.map((c) => c.id)).toEqual([9]);
    const expiry = timers.at(-1)!;
    expect(expiry.ms).toBe(5500);
    advance(6000);
    expiry.fn();
    await Promise.resolve();
    await Promise.resolve();
    expect(store.getState().claims).toEqual([]);
    expect(calls.length).toBe(3);
  });

  it("puts others' review events in the feed with the image's name, not our own, and times toasts out", async () => {
    const { ports, timers, advance } = fakePorts([]);
    const store = createTeamStore(ports);
    await store.getState().open('p');
    store.getState().handleEvent(review({ actor: 'alice', entryId: 1 }));
    expect(store.getState().activity).toEqual([]);
    store.getState().handleEvent(review({ entryId: 2, target: 'qa:1' }));
    store.getState().handleEvent(review({ entryId: 3, target: 'qa:2' }));
    await new Promise((r) => setTimeout(r, 0));
    const [line] = store.getState().activity;
    expect(describeActivity(line!)).toBe('approved 2 QA on frame-0004.jpg');
    expect(store.getState().toasts).toEqual([2]);
    const toastTimers = timers.filter((t) => t.ms === TOAST_MS);
    expect(toastTimers).toHaveLength(2);
    advance(TOAST_MS);
    toastTimers[0]!.fn();
    expect(store.getState().toasts).toEqual([]);
    expect(store.getState().activity).toHaveLength(1);
  });
});

describe('describeClaimSlice', () => {
  it('names every part of the slice', () => {
    expect(describeClaimSlice({ batchId: 2, family: null, label: 'door' })).toBe(
      'batch 2 · label door',
    );
  });
});
