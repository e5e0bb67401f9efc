// Errors as callers see them: an Error with a numeric `errorCode` (the HTTP-like status the
// emulator answers with) and a message naming the member and the argument.

/**
 * @typedef {Error & { errorCode: number }} ApmError
 */

/** Frames an error keeps: the shim's own deepest path is about a dozen. */
const STACK_FRAMES = 40;

/**
 * @param {number} code
 * @param {string} message
 * @returns {ApmError}
 */
export function apmError(code, message) {
  // The caller's own line lies below the shim's frames (face, contract, wire): keep enough of
  // the stack for it to show, as the real API's one-frame errors do. Errors are the rare path.
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = STACK_FRAMES;
  const e = /** @type {ApmError} */ (new Error(message));
  Error.stackTraceLimit = limit;
  e.errorCode = code;
  return e;
}
