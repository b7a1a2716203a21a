// What changed in a team project's pipeline queue, told to the other processes by PostgreSQL
// LISTEN/NOTIFY: a worker's claim, its stored results, a failure, an enqueue, an operator's pause,
// resume, cancel or retry. A notice sent in a transaction is delivered only when it commits, so a
// listener that reads the queue on a notice sees what the notice is about. Notices are a nudge,
// not a record: one missed (a listener that was down) loses nothing, since every count is read
// from the queue itself.
import pg from 'pg';

export const QUEUE_CHANNEL = 'sqw_queue';

export interface QueueNotice {
  /** Runs whose counts changed. */
  runs: string[];
  /** Images whose results were stored (their job completed). */
  stored: number[];
}

/** PostgreSQL's payload limit is 8000 bytes: image ids go in chunks of this many. */
const IDS_PER_NOTICE = 500;

/** The payloads that tell `notice` (more than one when it names many images). */
export function noticePayloads(notice: QueueNotice): string[] {
  const runs = [...new Set(notice.runs)];
  if (notice.stored.length === 0) return [JSON.stringify({ runs, stored: [] })];
  const out: string[] = [];
  for (let i = 0; i < notice.stored.length; i += IDS_PER_NOTICE)
    out.push(JSON.stringify({ runs, stored: notice.stored.slice(i, i + IDS_PER_NOTICE) }));
  return out;
}

/** The statement that sends one payload, for whichever connection or transaction runs it. */
export const NOTIFY_SQL = 'SELECT pg_notify($1, $2)';

/** Sends `notice` on `client` (inside its transaction, if one is open). */
export async function notifyQueue(
  query: (text: string, values: unknown[]) => Promise<unknown>,
  notice: QueueNotice,
): Promise<void> {
  for (const payload of noticePayloads(notice)) await query(NOTIFY_SQL, [QUEUE_CHANNEL, payload]);
}

function parse(payload: string | undefined): QueueNotice | null {
  try {
    const v = JSON.parse(payload ?? '') as Partial<QueueNotice>;
    return {
      runs: Array.isArray(v.runs) ? v.runs.filter((r) => typeof r === 'string') : [],
      stored: Array.isArray(v.stored) ? v.stored.filter((i) => Number.isInteger(i)) : [],
    };
  } catch {
    return null;
  }
}

const RECONNECT_MS = 1000;
/** The listener's connection as operators see it in pg_stat_activity. */
export const LISTENER_APPLICATION = 'sqw-queue-listener';

export interface ListenerOptions {
  /**
   * Called each time it listens again after a lost connection: notices sent meanwhile were
   * missed, so whoever follows the queue reads it afresh.
   */
  onRelisten?: () => void;
}

/**
 * Listens on the queue's channel on a connection of its own, connecting again after one is lost
 * (notices sent meanwhile are missed; the next read of the queue is right all the same).
 */
export class QueueListener {
  private client: pg.Client | null = null;
  private closed = false;
  private retry: ReturnType<typeof setTimeout> | null = null;

  private constructor(
    private readonly url: string,
    private readonly onNotice: (n: QueueNotice) => void,
    private readonly o: ListenerOptions,
  ) {}

  /** Resolves once listening (the first connection must succeed). */
  static async listen(
    url: string,
    onNotice: (n: QueueNotice) => void,
    o: ListenerOptions = {},
  ): Promise<QueueListener> {
    const listener = new QueueListener(url, onNotice, o);
    await listener.connect();
    return listener;
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({
      connectionString: this.url,
      application_name: LISTENER_APPLICATION,
    });
    client.on('notification', (m) => {
      if (m.channel !== QUEUE_CHANNEL) return;
      const notice = parse(m.payload);
      if (notice) this.onNotice(notice);
    });
    client.on('error', (err) => {
      console.error(`queue listener: ${err.message}; listening again in ${RECONNECT_MS} ms`);
      this.lost(client);
    });
    client.on('end', () => this.lost(client));
    await client.connect();
    try {
      await client.query(`LISTEN ${QUEUE_CHANNEL}`);
    } catch (err) {
      await client.end().catch(() => undefined);
      throw err;
    }
    if (this.closed) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
  }

  private lost(client: pg.Client): void {
    if (this.client !== client) return;
    this.client = null;
    void client.end().catch(() => undefined);
    this.reconnect();
  }

  private reconnect(): void {
    if (this.closed || this.retry) return;
    this.retry = setTimeout(() => {
      this.retry = null;
      this.connect().then(
        () => {
          if (this.client) this.o.onRelisten?.();
        },
        () => this.reconnect(),
      );
    }, RECONNECT_MS);
    this.retry.unref();
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.retry) clearTimeout(this.retry);
    this.retry = null;
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => undefined);
  }
}
