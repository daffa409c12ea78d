/**
 * The store's error: a write that did not commit. The caller must not
 * acknowledge what it was writing (the API answers 503).
 *
 * @module
 */

/** Raised when the audit log could not be written: the caller must not acknowledge. */
export class StoreWriteError extends Error {
  constructor(cause: unknown) {
    super(`audit log write failed: ${cause instanceof Error ? cause.message : String(cause)}`, {
      cause,
    });
    this.name = "StoreWriteError";
  }
}
