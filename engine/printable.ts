// Names and labels come from files, folders and people: a newline in one splits a report line, and
// an ANSI escape in one reaches the terminal. Every CLI and log line shows them through `printable`.

// C0 and C1 controls, DEL, and the Unicode line breaks and bidi overrides that reorder a line.
const UNPRINTABLE =
  // eslint-disable-next-line no-control-regex -- finding control characters is the point
  /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

const SHORT: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** `text` with every control character written as an escape (`\n`, `\x1b`, `\u202e`): one line. */
export function printable(text: string): string {
  return text.replace(UNPRINTABLE, (c) => {
    const short = SHORT[c];
    if (short) return short;
    const code = c.charCodeAt(0);
    return code < 0x100
      ? `\\x${code.toString(16).padStart(2, '0')}`
      : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/** Text whose lines the caller split on purpose: each line made printable, the breaks kept. */
export function printableLines(text: string): string {
  return text.split('\n').map(printable).join('\n');
}
