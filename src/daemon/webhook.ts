/**
 * Delivers one notification to `notify.webhook`: a JSON POST over http or
 * https with the manifest's headers, each attempt bounded by
 * `notify.timeout`, failed attempts retried `notify.retries` times with
 * exponential backoff. Never throws; the result says how many attempts were
 * made and why the last one failed. Knows nothing of what is being notified.
 */

import { request as httpRequest, type IncomingMessage } from 'node:http';
import { httpsRequest, type HttpsRequest } from '../util/deferred-ca.js';

export interface WebhookTarget {
  url: string;
  headers?: Readonly<Record<string, string>>;
  timeoutMs: number;
  retries: number;
}

export type WebhookResult = { ok: true; attempts: number } | { ok: false; attempts: number; reason: string };

/** First retry after 500ms, doubling, at most 30s. */
export function webhookBackoff(retry: number): number {
  return Math.min(500 * 2 ** retry, 30_000);
}

type Attempt = { ok: true } | { ok: false; reason: string; retryable: boolean };

/** Posts `payload` until it is accepted or the retries are spent. `sleep` is injectable for tests of the timing. */
export async function postWebhook(
  target: WebhookTarget,
  payload: string,
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
): Promise<WebhookResult> {
  let last: Attempt = { ok: false, reason: 'not attempted', retryable: true };
  for (let attempt = 0; attempt <= target.retries; attempt++) {
    if (attempt > 0) await sleep(webhookBackoff(attempt - 1));
    last = await postOnce(target, payload, /^https:/i.test(target.url) ? await httpsRequest() : httpRequest);
    if (last.ok) return { ok: true, attempts: attempt + 1 };
    if (!last.retryable) return { ok: false, attempts: attempt + 1, reason: last.reason };
  }
  return { ok: false, attempts: target.retries + 1, reason: last.ok ? 'unknown' : last.reason };
}

/** A client error other than 408 and 429 will not go away by asking again. */
function retryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

// node:https (and tls, crypto with it) is loaded on the first https webhook (deferred-ca.ts): a daemon that notifies nobody over TLS does not carry it.
function postOnce(target: WebhookTarget, payload: string, request: HttpsRequest): Promise<Attempt> {
  return new Promise((resolve) => {
    let url: URL;
    try {
      url = new URL(target.url);
    } catch {
      resolve({ ok: false, reason: 'invalid webhook URL', retryable: false });
      return;
    }
    const req = request(url, {
      method: 'POST',
      headers: { ...target.headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
      timeout: target.timeoutMs,
    });
    req.on('response', (res: IncomingMessage) => {
      res.resume();
      const status = res.statusCode ?? 500;
      if (status < 400) resolve({ ok: true });
      else resolve({ ok: false, reason: `webhook answered ${status}`, retryable: retryableStatus(status) });
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${target.timeoutMs}ms`)));
    req.on('error', (e: NodeJS.ErrnoException) => resolve({ ok: false, reason: e.code ? `${e.code}: ${e.message}` : e.message, retryable: true }));
    req.end(payload);
  });
}
