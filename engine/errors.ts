// Errors the engine raises on purpose; the RPC layer maps them to codes, everything else is 'failed'.
export class NotFoundError extends Error {
  override name = 'NotFoundError';
}

export class UserInputError extends Error {
  override name = 'UserInputError';
}

/** Someone else holds what the call would change (a reviewer's claim); the message names them. */
export class ConflictError extends Error {
  override name = 'ConflictError';
}

/** The call exists but is not ported to this kind of project yet (a team project on PostgreSQL). */
export class NotAvailableError extends Error {
  override name = 'NotAvailableError';
}
