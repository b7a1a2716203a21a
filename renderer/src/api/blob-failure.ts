// Why a blob did not load, in the server's words. An <img> that fails says nothing; the team
// server answers a missing original with a JSON error naming the file and what to run
// (engine/team/team-project.ts), which the image view shows beside the thumbnail it falls back to.

/** The server's error message for `url`, its HTTP status when it sent none, or null (it loads). */
export async function blobFailure(url: string): Promise<string | null> {
  let res: Response;
  try {
    res = await fetch(url, { cache: 'no-store' });
  } catch {
    return null;
  }
  if (res.ok) {
    // Bytes came: the image was there but could not be decoded; nothing more to say.
    await res.body?.cancel();
    return null;
  }
  const body = (await res.json().catch(() => null)) as { error?: { message?: unknown } } | null;
  const message = body?.error?.message;
  return typeof message === 'string' && message ? message : `HTTP ${res.status}`;
}
