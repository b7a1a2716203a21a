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
