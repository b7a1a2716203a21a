// The median wall time of an async call in milliseconds: one warm-up call, then `repeat` timed
// calls (the database benches: queue-status-bench.ts, run-control-bench.ts).
export async function timedMedian(fn: () => Promise<unknown>, repeat: number): Promise<number> {
  await fn();
  const ms: number[] = [];
  for (let i = 0; i < repeat; i++) {
    const t0 = performance.now();
    await fn();
    ms.push(performance.now() - t0);
  }
  ms.sort((a, b) => a - b);
  return ms[Math.floor(ms.length / 2)]!;
}
