// Stable identities: FNV-1a 64 over UTF-8, in pure JS with two 32-bit halves (no BigInt, no node
// builtins). A QA id is the hash of (image, family, subjects, template slot), so it survives a
// re-derivation after unrelated edits; `factHash` covers the facts a QA was built from, so a caller
// can tell "same question, changed facts" (mark for re-review) from "unchanged".

/**
 * Incremental FNV-1a 64 over the UTF-8 bytes of text fed piece by piece, with no intermediate
 * strings or byte arrays: `hi`/`lo` are the unsigned 32-bit halves of the state. Feeding "ab" then
 * "c" gives the hash of "abc" (a surrogate pair must not be split between two calls).
 */
export class Fnv64 {
  hi = 0xcbf29ce4;
  lo = 0x84222325;

  reset(): this {
    this.hi = 0xcbf29ce4;
    this.lo = 0x84222325;
    return this;
  }

  copyFrom(o: Fnv64): this {
    this.hi = o.hi;
    this.lo = o.lo;
    return this;
  }

  /** One byte: xor into the low byte, then multiply by the prime 2^40 + 0x1b3 modulo 2^64. */
  byte(b: number): this {
    const lo = (this.lo ^ b) >>> 0;
    const t = lo * 0x1b3; // < 2^41: exact
    const nlo = t >>> 0;
    this.hi = (Math.imul(this.hi, 0x1b3) + (lo << 8) + (t - nlo) / 4294967296) >>> 0;
    this.lo = nlo;
    return this;
  }

  /** The UTF-8 bytes of `text` (surrogate pairs joined; a lone surrogate encoded as itself). */
  str(text: string): this {
    let hi = this.hi;
    let lo = this.lo;
    for (let i = 0; i < text.length; i++) {
      let c = text.charCodeAt(i);
      if (c < 0x80) {
        lo = (lo ^ c) >>> 0;
        const t = lo * 0x1b3;
        const nlo = t >>> 0;
        hi = (Math.imul(hi, 0x1b3) + (lo << 8) + (t - nlo) / 4294967296) >>> 0;
        lo = nlo;
        continue;
      }
      if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
        const d = text.charCodeAt(i + 1);
        if (d >= 0xdc00 && d <= 0xdfff) {
          c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
          i++;
        }
      }
      this.hi = hi;
      this.lo = lo;
      if (c < 0x800) {
        this.byte(0xc0 | (c >> 6));
        this.byte(0x80 | (c & 63));
      } else if (c < 0x10000) {
        this.byte(0xe0 | (c >> 12));
        this.byte(0x80 | ((c >> 6) & 63));
        this.byte(0x80 | (c & 63));
      } else {
        this.byte(0xf0 | (c >> 18));
        this.byte(0x80 | ((c >> 12) & 63));
        this.byte(0x80 | ((c >> 6) & 63));
        this.byte(0x80 | (c & 63));
      }
      hi = this.hi;
      lo = this.lo;
    }
    this.hi = hi;
    this.lo = lo;
    return this;
  }

  /** `text` as one part of keyOf(): "\\" and "|" escaped with a backslash. */
  part(text: string): this {
    let plain = true;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 0x7c || c === 0x5c) {
        plain = false;
        break;
      }
    }
    if (plain) return this.str(text);
    let start = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 0x7c || c === 0x5c) {
        this.str(text.slice(start, i));
        this.byte(0x5c);
        start = i;
      }
    }
    return this.str(text.slice(start));
  }

  /** String(n) for a number, without allocating for small non-negative integers. */
  num(n: number): this {
    if (n >>> 0 !== n || n > 999999999) return this.str(String(n));
    let div = 1;
    while (div * 10 <= n) div *= 10;
    for (; div >= 1; div /= 10) {
      const d = Math.floor(n / div) % 10;
      this.byte(48 + d);
    }
    return this;
  }

  /** Numbers joined with ",", as Array.prototype.join(",") writes them. */
  nums(list: readonly number[]): this {
    for (let i = 0; i < list.length; i++) {
      if (i > 0) this.byte(0x2c);
      this.num(list[i] as number);
    }
    return this;
  }

  /** 16 lowercase hex digits. */
  hex(): string {
    const hi = this.hi;
    const lo = this.lo;
    return (
      (HEX[hi >>> 24] as string) +
      HEX[(hi >>> 16) & 255] +
      HEX[(hi >>> 8) & 255] +
      HEX[hi & 255] +
      HEX[lo >>> 24] +
      HEX[(lo >>> 16) & 255] +
      HEX[(lo >>> 8) & 255] +
      HEX[lo & 255]
    );
  }
}

const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

const scratch = new Fnv64();

/** FNV-1a 64 of the UTF-8 bytes of `text`, as [hi, lo] unsigned 32-bit halves. */
export function fnv1a64Parts(text: string): [number, number] {
  scratch.reset().str(text);
  return [scratch.hi, scratch.lo];
}

/** FNV-1a 64 as 16 lowercase hex digits. */
export function fnv1a64(text: string): string {
  return scratch.reset().str(text).hex();
}

/** Joins parts with a separator that cannot occur in them unescaped. */
export function keyOf(parts: readonly (string | number)[]): string {
  let out = '';
  for (let i = 0; i < parts.length; i++) {
    let p = String(parts[i]);
    if (p.includes('|') || p.includes('\\')) p = p.replace(/\\/g, '\\\\').replace(/\|/g, '\\|');
    out += i === 0 ? p : '|' + p;
  }
  return out;
}

/** QA id: "qa_" + FNV-1a 64 of (image, family, ordered subjects, template slot). */
export function qaId(
  image: string,
  family: string,
  subjects: readonly number[],
  slot: string,
): string {
  const h = scratch.reset().part(image);
  h.byte(0x7c);
  h.part(family).byte(0x7c);
  return 'qa_' + qaIdFrom(h, subjects, slot);
}

/**
 * The hex part of qaId() given a hasher already fed with keyOf([image, family]) + "|": lets a
 * caller hash the shared prefix once. Leaves `h` at the full key.
 */
export function qaIdFrom(h: Fnv64, subjects: readonly number[], slot: string): string {
  h.nums(subjects).byte(0x7c);
  return h.part(slot).hex();
}
