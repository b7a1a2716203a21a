// Open-addressing hash table from integer cell coordinates (ix, iy, iz) to dense ids 0..n-1, in
// typed arrays: several times faster than a Map keyed by a combined (non-SMI) number.

export class CellTable {
  private mask: number;
  private keys: Int32Array; // 3 per slot
  private ids: Int32Array; // -1 = empty slot
  size = 0;

  constructor(expected: number) {
    let cap = 16;
    while (cap < expected * 2) cap <<= 1;
    this.mask = cap - 1;
    this.keys = new Int32Array(cap * 3);
    this.ids = new Int32Array(cap).fill(-1);
  }

  private static hash(x: number, y: number, z: number): number {
    // Spatial hash, then a murmur3 finaliser: the raw xor of products leaves the low bits (the
    // slot) depending only on the coordinates' low bits, so the cells of one surface pile into
    // long probe chains.
    let h = Math.imul(x, 73856093) ^ Math.imul(y, 19349663) ^ Math.imul(z, 83492791);
    h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
    return (h ^ (h >>> 16)) >>> 0;
  }

  /** Id of the cell, or -1. */
  get(x: number, y: number, z: number): number {
    let s = CellTable.hash(x, y, z) & this.mask;
    for (;;) {
      const id = this.ids[s]!;
      if (id < 0) return -1;
      const o = s * 3;
      if (this.keys[o] === x && this.keys[o + 1] === y && this.keys[o + 2] === z) return id;
      s = (s + 1) & this.mask;
    }
  }

  /** Id of the cell, adding it (with the next id) when new. */
  getOrAdd(x: number, y: number, z: number): number {
    if (this.size * 2 >= this.ids.length) this.grow();
    let s = CellTable.hash(x, y, z) & this.mask;
    for (;;) {
      const id = this.ids[s]!;
      const o = s * 3;
      if (id < 0) {
        this.keys[o] = x;
        this.keys[o + 1] = y;
        this.keys[o + 2] = z;
        this.ids[s] = this.size;
        return this.size++;
      }
      if (this.keys[o] === x && this.keys[o + 1] === y && this.keys[o + 2] === z) return id;
      s = (s + 1) & this.mask;
    }
  }

  private grow(): void {
    const oldKeys = this.keys;
    const oldIds = this.ids;
    const cap = oldIds.length * 2;
    this.mask = cap - 1;
    this.keys = new Int32Array(cap * 3);
    this.ids = new Int32Array(cap).fill(-1);
    for (let s = 0; s < oldIds.length; s++) {
      const id = oldIds[s]!;
      if (id < 0) continue;
      const x = oldKeys[s * 3]!;
      const y = oldKeys[s * 3 + 1]!;
      const z = oldKeys[s * 3 + 2]!;
      let t = CellTable.hash(x, y, z) & this.mask;
      while (this.ids[t]! >= 0) t = (t + 1) & this.mask;
      this.keys[t * 3] = x;
      this.keys[t * 3 + 1] = y;
      this.keys[t * 3 + 2] = z;
      this.ids[t] = id;
    }
  }
}
