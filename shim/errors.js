// Errors as callers see them: an Error with a numeric `errorCode` (the HTTP-like status the
// emulator answers with) and a message naming the member and the argument.

/**
 * @typedef {Error & { errorCode: number }} ApmError
 */

/**
 * @param {number} code
 * @param {string} message
 * @returns {ApmError}
 */
export function apmError(code, message) {
  const e = /** @type {ApmError} */ (new Error(message));
  e.errorCode = code;
  return e;
}
