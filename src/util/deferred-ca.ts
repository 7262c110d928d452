/**
 * NODE_EXTRA_CA_CERTS without its start-up cost. Node reads the file it
 * names, and builds its whole root store, when the process starts, whether or
 * not the process ever speaks TLS: 20 ms for one certificate and 70 ms for
 * Debian's bundle on the 2-core VM, on every start. So the daemon is started
 * with the path under DEFERRED_CA_VAR instead (deferExtraCa); at its start it
 * puts NODE_EXTRA_CA_CERTS back (restoreExtraCa), so agents inherit it as it
 * was, and its first https request (webhooks, http probes) trusts the same
 * certificates Node would have: its bundled roots plus the file's. Owns that
 * hand-over and the https client that honours it.
 */

import { readFileSync } from 'node:fs';
import type { ClientRequest, IncomingMessage } from 'node:http';
import type { RequestOptions } from 'node:https';

/** Where the launcher puts NODE_EXTRA_CA_CERTS for a daemon that reads it on first use. */
export const DEFERRED_CA_VAR = 'ORCHESTRA_DEFERRED_EXTRA_CA_CERTS';

/**
 * The environment for a process that restores the variable itself: NODE_EXTRA_CA_CERTS
 * renamed. Unchanged when Node is told to use the system's store instead of its own
 * (the deferred trust is built on Node's bundled roots).
 */
export function deferExtraCa(env: Record<string, string | undefined>): Record<string, string | undefined> {
  const file = env['NODE_EXTRA_CA_CERTS'];
  if (!file || /--use-(openssl|system)-ca/.test(env['NODE_OPTIONS'] ?? '')) return env;
  const out: Record<string, string | undefined> = { ...env, [DEFERRED_CA_VAR]: file };
  delete out['NODE_EXTRA_CA_CERTS'];
  return out;
}

let deferredFile: string | undefined;

/** At the start of a process launched with deferExtraCa: NODE_EXTRA_CA_CERTS back in `env` for its children, the file kept for https. */
export function restoreExtraCa(env: Record<string, string | undefined> = process.env): void {
  const file = env[DEFERRED_CA_VAR];
  if (file === undefined) return;
  delete env[DEFERRED_CA_VAR];
  env['NODE_EXTRA_CA_CERTS'] = file;
  deferredFile = file;
}

/** An https request: url, options, callback. */
export type HttpsRequest = (url: string | URL, options: RequestOptions, callback?: (res: IncomingMessage) => void) => ClientRequest;

let client: Promise<HttpsRequest> | undefined;

/** node:https's request, loaded on first use (tls and crypto are megabytes), trusting NODE_EXTRA_CA_CERTS even when its reading was deferred. */
export function httpsRequest(): Promise<HttpsRequest> {
  client ??= loadClient(deferredFile);
  return client;
}

async function loadClient(file: string | undefined): Promise<HttpsRequest> {
  const https = await import('node:https');
  if (file === undefined) return (url, options, callback) => https.request(url, options, callback);
  const { rootCertificates } = await import('node:tls');
  let ca: string[] | undefined;
  try {
    ca = [...rootCertificates, readFileSync(file, 'utf8')];
  } catch {
    // As Node does at start-up: a file it cannot read adds nothing.
  }
  return (url, options, callback) => https.request(url, ca && options.ca === undefined ? { ...options, ca } : options, callback);
}
