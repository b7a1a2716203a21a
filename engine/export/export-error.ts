/** An export refused or failed for a reason the user can act on (one line). */
export class ExportError extends Error {
  /** The folder holds an earlier export that a replacing export may write over (UI checkbox, CLI --force). */
  constructor(
    message: string,
    readonly replaceable = false,
  ) {
    super(message);
  }
}
