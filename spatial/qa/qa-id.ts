// Stable identities: FNV-1a 64 over UTF-8, in pure JS with two 32-bit halves (no BigInt, no node
// builtins). A QA id is the hash of (image, family, subjects, template slot), so it survives a
// re-derivation after unrelated edits; `factHash` covers the facts a QA was built from, so a caller
// can tell "same question, changed facts" (mark for re-review) from "unchanged".

/** UTF-8 bytes of `text` (surrogate pairs joined; a lone surrogate is encoded as itself). */
function utf8(text: string): number[] {
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    let c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
        i++;
      }
    }
    if (c < 0x80) out.push(c);
    else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 63));
    else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    else
      out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
  }
  return out;
}

/** FNV-1a 64 of the UTF-8 bytes of `text`, as [hi, lo] unsigned 32-bit halves. */
export function fnv1a64Parts(text: string): [number, number] {
  // four 16-bit limbs, low first, so every intermediate stays a small integer
  let h0 = 0x2325;
  let h1 = 0x8422;
  let h2 = 0x9ce4;
  let h3 = 0xcbf2;
  // ASCII text (ids, keys) is hashed straight from char codes; anything else via its UTF-8 bytes
  let ascii = true;
  for (let i = 0; i < text.length; i++)
    if (text.charCodeAt(i) >= 0x80) {
      ascii = false;
      break;
    }
  const bytes = ascii ? null : utf8(text);
  const n = bytes ? bytes.length : text.length;
  for (let i = 0; i < n; i++) {
    h0 ^= bytes ? (bytes[i] as number) : text.charCodeAt(i);
    // multiply by the prime 2^40 + 0x1b3 modulo 2^64
    const t0 = h0 * 0x1b3;
    const t1 = h1 * 0x1b3 + (t0 >>> 16);
    const t2 = h2 * 0x1b3 + (h0 << 8) + (t1 >>> 16);
    const t3 = h3 * 0x1b3 + (h1 << 8) + (t2 >>> 16);
    h0 = t0 & 0xffff;
    h1 = t1 & 0xffff;
    h2 = t2 & 0xffff;
    h3 = t3 & 0xffff;
  }
  return [((h3 << 16) | h2) >>> 0, ((h1 << 16) | h0) >>> 0];
}

/** FNV-1a 64 as 16 lowercase hex digits. */
export function fnv1a64(text: string): string {
  const [hi, lo] = fnv1a64Parts(text);
  return hi.toString(16).padStart(8, '0') + lo.toString(16).padStart(8, '0');
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
  return 'qa_' + fnv1a64(keyOf([image, family, subjects.join(','), slot]));
}
