import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../test/helpers';
import { writeExportFolder } from './safe-output';
import { shardRanges } from './shards';
import { JsonArraySink, LineSink } from './sinks';

const dir = tempDir('sqw-shards-');
afterAll(() => dir.remove());

describe('shardRanges', () => {
  it('covers every id once, in order, the first range a little smaller', () => {
    for (const [first, last, n] of [
      [1, 100_000, 2],
      [5, 7, 3],
      [1, 2, 4],
      [10, 10, 2],
      [1, 1001, 4],
    ] as const) {
      const ranges = shardRanges([first, last], n);
      expect(ranges.length).toBe(Math.min(n, last - first + 1));
      expect(ranges[0]![0]).toBe(first);
      expect(ranges[ranges.length - 1]![1]).toBe(last);
      for (let k = 1; k < ranges.length; k++) expect(ranges[k]![0]).toBe(ranges[k - 1]![1] + 1);
      for (const [lo, hi] of ranges) expect(hi).toBeGreaterThanOrEqual(lo);
    }
    const [a, b] = shardRanges([1, 100_000], 2);
    expect(a![1] - a![0] + 1).toBe(47_368);
    expect(b![1] - b![0] + 1).toBe(52_632);
  });
});

describe('sinks adopting shard parts', () => {
  it('join parts into the array and lines one thread would write, whichever shards are empty', async () => {
    const cases: Array<Array<unknown[]>> = [
      [[1, 2], [3], [4, 5]],
      [[], [3], [4]],
      [[], [], []],
      [[1], [], [2]],
    ];
    for (const [i, shards] of cases.entries()) {
      const out = join(dir.path, `case-${i}`);
      await writeExportFolder(
        out,
        { force: false },
        async (w) => {
          const array = new JsonArraySink(w, 'a.json');
          const lines = new LineSink(w, 'l.jsonl');
          for (const [k, items] of shards.entries()) {
            // What shard k writes: its part, the first shard's with the array's head.
            const partArray = new JsonArraySink(
              { ...w, append: (_p, d) => w.append(`.shards/${k}-a`, d) },
              'a.json',
              k === 0 ? undefined : '',
            );
            const partLines = new LineSink(
              { ...w, append: (_p, d) => w.append(`.shards/${k}-l`, d) },
              'l.jsonl',
            );
            for (const item of items) {
              await partArray.add(item);
              await partLines.add(item);
            }
            await partArray.flush();
            await partLines.flush();
            await array.adopt(`.shards/${k}-a`, items.length, k === 0);
            await lines.adopt(`.shards/${k}-l`, items.length);
          }
          await array.close();
          await lines.close();
          await w.remove('.shards');
        },
        () => ({}),
      );
      const all = shards.flat();
      expect(JSON.parse(readFileSync(join(out, 'a.json'), 'utf8'))).toEqual(all);
      expect(readFileSync(join(out, 'a.json'), 'utf8')).toBe(
        all.length ? `[\n${all.map((x) => JSON.stringify(x)).join(',\n')}\n]\n` : '[]\n',
      );
      expect(readFileSync(join(out, 'l.jsonl'), 'utf8')).toBe(
        all.map((x) => `${JSON.stringify(x)}\n`).join(''),
      );
    }
  });
});
