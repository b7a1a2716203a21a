/** An export refused or failed for a reason the user can act on (one line). */
export class ExportError extends Error {}
