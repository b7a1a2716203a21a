// The scene build's notes are codes meant for logs; the panel says what each means and shows a
// repeated one once with its count (a frame search can reject the same kind of plane many times).
const MEANING: Record<string, string> = {
  'rejected-plane-with-points-below':
    'A large plane with points seen below it was not taken for the floor (a wall or table-top slice)',
  'rejected-slanted-plane': 'A large plane too slanted to be the floor was set aside',
};

export interface SceneNoteLine {
  text: string;
  count: number;
}

export function sceneNoteLines(notes: readonly string[]): SceneNoteLine[] {
  const byText = new Map<string, SceneNoteLine>();
  for (const note of notes) {
    const text = MEANING[note] ?? note;
    const line = byText.get(text);
    if (line) line.count++;
    else byText.set(text, { text, count: 1 });
  }
  return [...byText.values()];
}
