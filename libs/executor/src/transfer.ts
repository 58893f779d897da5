// Which tensor buffers may cross to or from a session worker by transfer rather than by a
// structured-clone copy (session-pool.ts, session-worker.ts). Kept free of imports: the worker loads it.

/** True when `view` spans all of its own (non-shared) ArrayBuffer, so transferring that buffer moves
 *  exactly the view's bytes and nothing another view could still be reading. */
export function spansWholeBuffer(view: { buffer: ArrayBufferLike; byteOffset: number; byteLength: number }): boolean {
  return view.byteOffset === 0 && view.byteLength === view.buffer.byteLength && view.buffer instanceof ArrayBuffer;
}
