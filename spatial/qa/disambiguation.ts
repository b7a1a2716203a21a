// Referring expressions that pick out exactly one object under the scene graph.
//
// Objects whose labels share a head noun ("chair", "office chair", "chairs") are one group: a
// person could call any of them "the chair". A node's expression is tried in this order and kept
// at the first one that matches exactly one node of the whole graph (matches() is the check):
//   1. its label alone, when it is the only member of its group (plus up to two attributes);
//   2. one attribute ("the red chair");
//   3. a spatial qualifier over the group ("the chair on the left", "the taller bottle",
//      "the chair nearest the camera"), each qualifier verified against every other member by graph
//      edges (or, for camera distance, node fields with a margin);
//   4. an attribute plus a qualifier ("the leftmost red chair").
// If none is unique the node is ambiguous: no referring-expression QA (region tokens still work),
// and it is listed for the review UI.

import type { SceneNode } from '../scene/scene-graph';
import type { Axis, SceneFacts } from './facts';
import { checkLabel, headNoun, normalizeLabel } from './labels';
import { marginFor, type Ambiguity } from './types';

export type QualifierKind =
  | 'leftmost'
  | 'rightmost'
  | 'nearest'
  | 'farthest'
  | 'tallest'
  | 'shortest'
  | 'frontmost'
  | 'backmost'
  | 'biggest'
  | 'smallest'
  | 'highest'
  | 'lowest';

const QUALIFIERS: {
  kind: QualifierKind;
  axis: Axis | 'camera';
  rel: 'pos' | 'neg';
  two: (l: string) => string;
  many: (l: string) => string;
}[] = [
  {
    kind: 'leftmost',
    axis: 'left_right',
    rel: 'pos',
    two: (l) => `the ${l} on the left`,
    many: (l) => `the leftmost ${l}`,
  },
  {
    kind: 'rightmost',
    axis: 'left_right',
    rel: 'neg',
    two: (l) => `the ${l} on the right`,
    many: (l) => `the rightmost ${l}`,
  },
  {
    kind: 'nearest',
    axis: 'camera',
    rel: 'pos',
    two: (l) => `the ${l} nearest the camera`,
    many: (l) => `the ${l} nearest the camera`,
  },
  {
    kind: 'farthest',
    axis: 'camera',
    rel: 'neg',
    two: (l) => `the ${l} farthest from the camera`,
    many: (l) => `the ${l} farthest from the camera`,
  },
  {
    kind: 'tallest',
    axis: 'tall_short',
    rel: 'pos',
    two: (l) => `the taller ${l}`,
    many: (l) => `the tallest ${l}`,
  },
  {
    kind: 'shortest',
    axis: 'tall_short',
    rel: 'neg',
    two: (l) => `the shorter ${l}`,
    many: (l) => `the shortest ${l}`,
  },
  {
    kind: 'frontmost',
    axis: 'behind_front',
    rel: 'neg',
    two: (l) => `the ${l} in front`,
    many: (l) => `the frontmost ${l}`,
  },
  {
    kind: 'backmost',
    axis: 'behind_front',
    rel: 'pos',
    two: (l) => `the ${l} in the back`,
    many: (l) => `the ${l} farthest back`,
  },
  {
    kind: 'biggest',
    axis: 'big_small',
    rel: 'pos',
    two: (l) => `the bigger ${l}`,
    many: (l) => `the biggest ${l}`,
  },
  {
    kind: 'smallest',
    axis: 'big_small',
    rel: 'neg',
    two: (l) => `the smaller ${l}`,
    many: (l) => `the smallest ${l}`,
  },
  {
    kind: 'highest',
    axis: 'above_below',
    rel: 'pos',
    two: (l) => `the higher ${l}`,
    many: (l) => `the highest ${l}`,
  },
  {
    kind: 'lowest',
    axis: 'above_below',
    rel: 'neg',
    two: (l) => `the lower ${l}`,
    many: (l) => `the lowest ${l}`,
  },
];

export interface ExpressionSpec {
  nodeId: number;
  /** Group key: head noun of the label. */
  head: string;
  /** Attributes every referent must carry. */
  attributes: string[];
  qualifier: QualifierKind | null;
}

export interface Expression {
  text: string;
  spec: ExpressionSpec;
  /** The axis a spatial qualifier uses (QA on that axis would give the answer away), or null. */
  axis: Axis | 'camera' | null;
}

export interface Naming {
  expressions: Map<number, Expression>;
  ambiguities: Ambiguity[];
}

// Per-SceneFacts memo (one generateQa call), so in-place edits between calls are always seen.
const memo = new WeakMap<
  SceneFacts,
  { heads: Map<SceneNode, string>; attrs: Map<SceneNode, string[]> }
>();

function memoOf(facts: SceneFacts) {
  let m = memo.get(facts);
  if (!m) {
    m = { heads: new Map(), attrs: new Map() };
    memo.set(facts, m);
  }
  return m;
}

/** Head noun of any node's label, including rejected ones (markup characters become spaces). */
function rawHead(facts: SceneFacts, n: SceneNode): string {
  const heads = memoOf(facts).heads;
  let h = heads.get(n);
  if (h === undefined) {
    h = typeof n.label === 'string' ? headNoun(n.label.replace(/[<>{}[\]`&;/]/g, ' ')) : '';
    heads.set(n, h);
  }
  return h;
}

function nodeAttributes(facts: SceneFacts, n: SceneNode): string[] {
  const attrs = memoOf(facts).attrs;
  let a = attrs.get(n);
  if (!a) {
    a = readAttributes(n);
    attrs.set(n, a);
  }
  return a;
}

function readAttributes(n: SceneNode): string[] {
  const out: string[] = [];
  if (!Array.isArray(n.attributes)) return out;
  for (const a of n.attributes) {
    const c = checkLabel(a, 32);
    if (c.ok) {
      const t = normalizeLabel(c.text);
      if (!out.includes(t)) out.push(t);
    }
  }
  return out;
}

/** Does x satisfy the qualifier against every other member of `scope`? */
function holds(facts: SceneFacts, x: SceneNode, scope: SceneNode[], kind: QualifierKind): boolean {
  const q = QUALIFIERS.find((k) => k.kind === kind);
  if (!q || !facts.byId.has(x.id)) return false;
  if (q.axis === 'above_below' && !facts.aligned) return false;
  for (const y of scope) {
    if (y.id === x.id) continue;
    if (!facts.byId.has(y.id)) return false;
    if (q.axis === 'camera') {
      const m = marginFor(
        facts.opts.margins.cameraDistance,
        x.distanceFromCamera,
        y.distanceFromCamera,
      );
      const d = y.distanceFromCamera - x.distanceFromCamera;
      if (q.rel === 'pos' ? !(d >= m) : !(-d >= m)) return false;
    } else if (facts.relation(x.id, y.id, q.axis) !== q.rel) return false;
  }
  return true;
}

/** Ids of every node of the graph the expression describes (unique referent = exactly one). */
export function matches(facts: SceneFacts, spec: ExpressionSpec): number[] {
  const scope = facts.all.filter((n) => {
    if (rawHead(facts, n) !== spec.head) return false;
    if (spec.attributes.length === 0) return true;
    const attrs = nodeAttributes(facts, n);
    return spec.attributes.every((a) => attrs.includes(a));
  });
  if (spec.qualifier === null) return scope.map((n) => n.id);
  const q = spec.qualifier;
  return scope.filter((x) => holds(facts, x, scope, q)).map((n) => n.id);
}

function isUnique(facts: SceneFacts, spec: ExpressionSpec): boolean {
  const m = matches(facts, spec);
  return m.length === 1 && m[0] === spec.nodeId;
}

export function buildExpressions(facts: SceneFacts): Naming {
  const expressions = new Map<number, Expression>();
  const ambiguities: Ambiguity[] = [];
  const groups = new Map<string, SceneNode[]>();
  for (const n of facts.all) {
    const h = rawHead(facts, n);
    const g = groups.get(h) ?? [];
    g.push(n);
    groups.set(h, g);
  }
  for (const n of facts.usable) {
    const label = facts.label(n.id);
    const head = rawHead(facts, n);
    const group = (groups.get(head) ?? []).map((m) => m.id);
    if (label === null) {
      const c = checkLabel(n.label, facts.opts.maxLabelLength);
      ambiguities.push({
        nodeId: n.id,
        label: typeof n.label === 'string' ? n.label.slice(0, facts.opts.maxLabelLength) : '',
        group,
        reason: c.ok ? 'label-rejected' : c.reason,
      });
      continue;
    }
    const expr = findExpression(facts, n, label, head, group.length);
    if (expr) expressions.set(n.id, expr);
    else ambiguities.push({ nodeId: n.id, label, group, reason: 'no-distinguishing-expression' });
  }
  return { expressions, ambiguities };
}

function findExpression(
  facts: SceneFacts,
  n: SceneNode,
  label: string,
  head: string,
  groupSize: number,
): Expression | null {
  const attrs = nodeAttributes(facts, n).filter(
    (a) => !normalizeLabel(label).split(' ').includes(a),
  );
  if (groupSize === 1) {
    const used = attrs.slice(0, 2);
    const spec: ExpressionSpec = { nodeId: n.id, head, attributes: used, qualifier: null };
    if (isUnique(facts, spec)) return { text: the(used, label), spec, axis: attributesAxis(used) };
  }
  for (const a of attrs) {
    const spec: ExpressionSpec = { nodeId: n.id, head, attributes: [a], qualifier: null };
    if (isUnique(facts, spec)) return { text: the([a], label), spec, axis: attributeAxis(a) };
  }
  for (const attrSet of [[], ...attrs.map((a) => [a])]) {
    const scopeSize = matches(facts, {
      nodeId: n.id,
      head,
      attributes: attrSet,
      qualifier: null,
    }).length;
    for (const q of QUALIFIERS) {
      const spec: ExpressionSpec = { nodeId: n.id, head, attributes: attrSet, qualifier: q.kind };
      if (!isUnique(facts, spec)) continue;
      // A positional attribute ("on the left") cannot sit before the noun; those sets are skipped here.
      if (attrSet.some(isPostModifier)) continue;
      const phrase = attrSet.length > 0 ? `${attrSet.join(' ')} ${label}` : label;
      const text = scopeSize <= 2 ? q.two(phrase) : q.many(phrase);
      return { text, spec, axis: q.axis };
    }
  }
  return null;
}

/** "the red chair", "the chair on the left", "the red chair by the door". */
export function the(attrs: readonly string[], label: string): string {
  const before = attrs.filter((a) => !isPostModifier(a));
  const after = attrs.filter(isPostModifier);
  return ['the', ...before, label, ...after].join(' ');
}

// Attributes that follow the noun: reviewers write positions as phrases ("on the left", "near the
// door", "with a lid"); adjectives ("red", "wooden") go before it.
const POST_MODIFIER =
  /^(on|in|at|by|near|next|beside|behind|under|underneath|below|above|with|without|of|from|to|closest|nearest|farthest|furthest|left|right)\b/;

export function isPostModifier(attribute: string): boolean {
  return POST_MODIFIER.test(attribute);
}

// The axis an attribute names, so QA on that axis does not give its answer away ("is the chair on
// the left left of the table?"): a reviewer's position words are treated like spatial qualifiers.
const ATTRIBUTE_AXES: Array<[RegExp, Axis | 'camera']> = [
  [/\b(left|right|leftmost|rightmost)\b/, 'left_right'],
  [/\b(front|back|behind|rear|frontmost|backmost)\b/, 'behind_front'],
  [/\b(near|nearest|closest|far|farthest|furthest|closer|farther)\b/, 'camera'],
  [/\b(top|bottom|above|below|under|underneath|upper|lower|high|higher|low)\b/, 'above_below'],
  [/\b(tall|taller|tallest|short|shorter|shortest)\b/, 'tall_short'],
  [/\b(big|bigger|biggest|large|larger|largest|small|smaller|smallest|little)\b/, 'big_small'],
];

export function attributeAxis(attribute: string): Axis | 'camera' | null {
  for (const [re, axis] of ATTRIBUTE_AXES) if (re.test(attribute)) return axis;
  return null;
}

function attributesAxis(attrs: readonly string[]): Axis | 'camera' | null {
  for (const a of attrs) {
    const axis = attributeAxis(a);
    if (axis) return axis;
  }
  return null;
}
