/** Polls `check` until it holds; throws naming `what` after `timeoutMs`. For conditions no event announces (a file line, a pid gone). */
export async function until(check: () => boolean, what: string, timeoutMs = 60_000, stepMs = 25): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, stepMs));
  }
}
