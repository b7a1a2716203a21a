import { describe, expect, it } from 'vitest';
import {
  packPointCloud,
  pointCloudByteLength,
  PointCloudFormatError,
  unpackPointCloud,
} from './point-cloud';

const STAMP = '0123456789abcdef';

function sample(n: number) {
  return {
    positions: Float32Array.from({ length: n * 3 }, (_, i) => i * 0.5 - 3),
    depth: Float32Array.from({ length: n }, (_, i) => 1 + i),
    objectIds: Int32Array.from({ length: n }, (_, i) => (i % 3 === 0 ? 0 : 100 + i)),
    colors: Uint8Array.from({ length: n * 3 }, (_, i) => (i * 37) % 256),
  };
}

/** A fresh ArrayBuffer with exactly the packed bytes (what fetch().arrayBuffer() gives). */
function asFetched(bytes: Uint8Array): ArrayBuffer {
  return bytes.slice().buffer;
}

describe('point cloud packing', () => {
  it('round-trips every array, for counts that leave the colours unaligned', () => {
    for (const n of [0, 1, 5, 1001]) {
      const a = sample(n);
      const packed = packPointCloud(a, STAMP);
      expect(packed.byteLength).toBe(pointCloudByteLength(n));
      expect(packed.byteLength % 4).toBe(0);
      const b = unpackPointCloud(asFetched(packed), STAMP);
      expect(b.count).toBe(n);
      expect(b.stamp).toBe(STAMP);
      expect(Array.from(b.positions)).toEqual(Array.from(a.positions));
      expect(Array.from(b.depth)).toEqual(Array.from(a.depth));
      expect(Array.from(b.objectIds)).toEqual(Array.from(a.objectIds));
      expect(Array.from(b.colors)).toEqual(Array.from(a.colors));
    }
  });

  it('views the fetched buffer in place instead of copying it', () => {
    const buf = asFetched(packPointCloud(sample(10), STAMP));
    const c = unpackPointCloud(buf);
    expect(c.positions.buffer).toBe(buf);
    expect(c.colors.buffer).toBe(buf);
  });

  it('rejects a stale, truncated, foreign or inconsistent blob with a reason', () => {
    const packed = packPointCloud(sample(4), STAMP);
    expect(() => unpackPointCloud(asFetched(packed), 'fedcba9876543210')).toThrow(/stale/);
    expect(() => unpackPointCloud(asFetched(packed.subarray(0, packed.length - 4)))).toThrow(
      /expected/,
    );
    expect(() => unpackPointCloud(new ArrayBuffer(8))).toThrow(PointCloudFormatError);
    const foreign = packed.slice();
    foreign[0] = 0;
    expect(() => unpackPointCloud(foreign.buffer)).toThrow(/magic/);
    const a = sample(4);
    expect(() => packPointCloud({ ...a, depth: new Float32Array(3) }, STAMP)).toThrow(/disagree/);
    expect(() => packPointCloud(a, 'nothex')).toThrow(/stamp/);
  });
});
