// Buffered writers for the two shapes large exports take: JSON Lines, and a JSON array written one
// element at a time (what OSD and SpatialRGPT-Bench loaders read with json.load). Both flush about
// every megabyte, so memory stays flat.
import type { ExportWriter } from './safe-output';

const FLUSH_BYTES = 1 << 20;

export class LineSink {
  private buf: string[] = [];
  private size = 0;
  lines = 0;

  constructor(
    private readonly w: ExportWriter,
    readonly relPath: string,
  ) {}

  async add(record: unknown): Promise<void> {
    const line = JSON.stringify(record);
    this.buf.push(line);
    this.size += line.length + 1;
    this.lines++;
    if (this.size >= FLUSH_BYTES) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.buf.length === 0) return;
    const text = `${this.buf.join('\n')}\n`;
    this.buf = [];
    this.size = 0;
    await this.w.append(this.relPath, text);
  }

  /** Appends a shard's part file (written by this sink's twin in the shard); shards in order. */
  async adopt(path: string, lines: number): Promise<void> {
    await this.flush();
    await this.w.concat(this.relPath, [path]);
    this.lines += lines;
  }

  /** Flushes; the file exists (possibly empty) afterwards. */
  async close(): Promise<void> {
    await this.flush();
    await this.w.append(this.relPath, '');
  }
}

export class JsonArraySink {
  private buf: string[] = [];
  private size = 0;
  count = 0;

  constructor(
    private readonly w: ExportWriter,
    readonly relPath: string,
    private readonly head = '[\n',
    private readonly tail = '\n]\n',
  ) {}

  async add(record: unknown): Promise<void> {
    const text = (this.count === 0 ? this.head : ',\n') + JSON.stringify(record);
    this.buf.push(text);
    this.size += text.length;
    this.count++;
    if (this.size >= FLUSH_BYTES) await this.flush();
  }

  /**
   * Appends a shard's part file (shards in order): `count` elements joined by ',\n', opened by
   * this sink's head when `headed` (the first shard writes the head, as one thread would).
   */
  async adopt(path: string, count: number, headed: boolean): Promise<void> {
    if (count === 0) return;
    await this.flush();
    if (this.count === 0 && !headed) await this.w.append(this.relPath, this.head);
    else if (this.count > 0) await this.w.append(this.relPath, ',\n');
    await this.w.concat(this.relPath, [path]);
    this.count += count;
  }

  async flush(): Promise<void> {
    if (this.buf.length === 0) return;
    const text = this.buf.join('');
    this.buf = [];
    this.size = 0;
    await this.w.append(this.relPath, text);
  }

  async close(): Promise<void> {
    if (this.count === 0) this.buf.push(this.head.trimEnd());
    this.buf.push(this.count === 0 ? this.tail.trimStart() : this.tail);
    await this.flush();
  }
}
