/**
 * Waits until `check()` holds, looking every few milliseconds (a crash test catches a state that
 * lasts a moment, such as a provider request in flight); fails naming `what` after `timeoutMs`.
 */
export async function until(check: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
