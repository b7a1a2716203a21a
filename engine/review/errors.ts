// Review errors a client can act on: a stale edit (another window changed the row first) and an
// undo/redo that cannot apply. Both reach the UI as 'invalid-input' with a message saying what to do.
import { UserInputError } from '../errors';

export class StaleEditError extends UserInputError {
  override name = 'StaleEditError';
}
