// Following a job this page started (import, pipeline run): `job` events for live progress, polling
// as a safety net for missed events (a reconnect, a job that ends before the socket opens), and the
// job's result fetched once when it ends.
import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'react';
import type { Job } from '../../../contract/entities';
import { api, errorText } from '../api/client';
import { isTerminal, mergeJobState } from '../lib/jobs';
import { useEngineEvents } from './hooks';

const POLL_MS = 1000;

export interface FollowedJob<R> {
  jobId: string | null;
  job: Job | null;
  /** What the job works on now (a file path), from the latest event. */
  current: string | null;
  result: R | null;
  /** Failure, cancellation, or an error fetching the result or cancelling. */
  error: string | null;
  running: boolean;
  /** Starts following a job just started (clears the previous job's state). */
  follow(jobId: string): void;
  /** Clears the previous result and error (before starting another job). */
  reset(): void;
  cancel(): Promise<void>;
}

export function useFollowedJob<R>(
  projectId: string,
  /** Noun for messages: `The ${what} failed.` */
  what: string,
  fetchResult: (jobId: string) => Promise<R | null>,
  onFinished: (result: R | null) => void,
): FollowedJob<R> {
  const [jobId, setJobId] = useState<string | null>(null);
  const [job, setJob] = useState<Job | null>(null);
  const [current, setCurrent] = useState<string | null>(null);
  const [result, setResult] = useState<R | null>(null);
  const [error, setError] = useState<string | null>(null);
  const finishedFor = useRef<string | null>(null);
  const callbacks = useRef({ fetchResult, onFinished });
  useLayoutEffect(() => {
    callbacks.current = { fetchResult, onFinished };
  });

  const running = jobId !== null && !isTerminal(job);

  // Newer state wins: events and polls can arrive out of order.
  const accept = useCallback((next: Job) => setJob((prev) => mergeJobState(prev, next)), []);

  useEngineEvents((e) => {
    if (e.type === 'job' && e.projectId === projectId && e.job.id === jobId) {
      accept(e.job);
      setCurrent(e.current);
    }
  });

  useEffect(() => {
    if (!jobId || !running) return;
    let live = true;
    const timer = setInterval(() => {
      api.jobs.get({ projectId, jobId }).then(
        (j) => live && accept(j),
        () => undefined,
      );
    }, POLL_MS);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [jobId, running, projectId, accept]);

  // Job ended: fetch the result once, report it upward.
  useEffect(() => {
    if (!jobId || !job || job.id !== jobId || !isTerminal(job) || finishedFor.current === jobId)
      return;
    finishedFor.current = jobId;
    if (job.status === 'failed') setError(job.message ?? `The ${what} failed.`);
    if (job.status === 'cancelled') setError(`The ${what} was cancelled.`);
    callbacks.current.fetchResult(jobId).then(
      (r) => {
        setResult(r);
        callbacks.current.onFinished(r);
      },
      (err: unknown) => {
        setError((prev) => prev ?? errorText(err));
        callbacks.current.onFinished(null);
      },
    );
  }, [job, jobId, what]);

  const follow = useCallback((id: string) => {
    finishedFor.current = null;
    setJob(null);
    setCurrent(null);
    setJobId(id);
  }, []);

  const reset = useCallback(() => {
    setError(null);
    setResult(null);
  }, []);

  const cancel = useCallback(async () => {
    if (!jobId) return;
    try {
      accept(await api.jobs.cancel({ projectId, jobId }));
    } catch (err) {
      setError(errorText(err));
    }
  }, [jobId, projectId, accept]);

  return { jobId, job, current, result, error, running, follow, reset, cancel };
}
