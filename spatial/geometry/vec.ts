// Small 3-vector and 3x3 matrix helpers (plain tuples, row-major matrices as number[9]).

export type V3 = [number, number, number];

export function sub(a: V3, b: V3): V3 {
  return [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
}

export function add(a: V3, b: V3): V3 {
  return [a[0] + b[0], a[1] + b[1], a[2] + b[2]];
}

export function scale(a: V3, s: number): V3 {
  return [a[0] * s, a[1] * s, a[2] * s];
}

export function dot(a: V3, b: V3): number {
  return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
}

export function cross(a: V3, b: V3): V3 {
  return [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
}

export function norm(a: V3): number {
  return Math.hypot(a[0], a[1], a[2]);
}

/** Unit vector along `a`, or null when `a` is (near) zero or not finite. */
export function normalize(a: V3): V3 | null {
  const n = norm(a);
  if (!(n > 1e-12) || !Number.isFinite(n)) return null;
  return [a[0] / n, a[1] / n, a[2] / n];
}

/** Row-major 3x3 times vector. */
export function mulMat3(m: readonly number[], v: V3): V3 {
  return [
    m[0]! * v[0] + m[1]! * v[1] + m[2]! * v[2],
    m[3]! * v[0] + m[4]! * v[1] + m[5]! * v[2],
    m[6]! * v[0] + m[7]! * v[1] + m[8]! * v[2],
  ];
}

/** Angle between two unit vectors in radians. */
export function angleBetween(a: V3, b: V3): number {
  return Math.acos(Math.max(-1, Math.min(1, dot(a, b))));
}
