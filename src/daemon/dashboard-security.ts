/**
 * The dashboard's request guards: the access token (made, and compared in
 * constant time), the Host check against DNS rebinding, the Origin check on
 * state-changing requests, and the security headers of every response.
 * Pure functions of the request's headers; no sockets here.
 */

import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/** The header that carries the token on every request except the page load and the event stream. */
export const TOKEN_HEADER = 'x-orchestra-token';
/** Tokens shorter than this are refused: 32 hex characters are 128 bits. */
export const MIN_TOKEN_LENGTH = 32;

/** A fresh random token: 32 bytes as 64 hex characters. */
export function generateToken(): string {
  return randomBytes(32).toString('hex');
}

/** A fresh nonce for one response's Content-Security-Policy. */
export function generateNonce(): string {
  return randomBytes(18).toString('base64');
}

/** Why a caller-chosen token is unacceptable, or undefined when it is fine. */
export function tokenProblem(token: string): string | undefined {
  if (token.length < MIN_TOKEN_LENGTH || !/^[A-Za-z0-9_-]+$/.test(token)) {
    return `Expected the \`token\` option to be at least ${MIN_TOKEN_LENGTH} characters of [A-Za-z0-9_-], got ${token.length} characters.`;
  }
  return undefined;
}

/** Compares a presented token with the real one in time independent of where they differ. */
export function tokenMatches(presented: string | undefined, expected: string): boolean {
  if (presented === undefined) return false;
  // Hashing first gives equal lengths, so timingSafeEqual never throws and the length leaks nothing.
  const a = createHash('sha256').update(presented).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/** The single value of a header, or undefined when absent or repeated. */
export function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return typeof value === 'string' ? value : undefined;
}

/** True when Host names this server by loopback address or `localhost` and its port; anything else may be DNS rebinding. */
export function hostAllowed(host: string | undefined, port: number): boolean {
  if (host === undefined) return false;
  const h = host.toLowerCase();
  return h === `127.0.0.1:${port}` || h === `localhost:${port}`;
}

/**
 * True when a state-changing request may proceed: no Origin (not a browser,
 * or a same-origin request the browser chose not to label) or our own origin.
 * The token header is the real CSRF defence; this refuses a page on another
 * origin even if it somehow got the token.
 */
export function originAllowed(origin: string | undefined, port: number): boolean {
  if (origin === undefined) return true;
  const o = origin.toLowerCase();
  return o === `http://127.0.0.1:${port}` || o === `http://localhost:${port}`;
}

/** Headers on every response: never cached, never framed, never sniffed, no referrer carrying the token. */
export function baseHeaders(): Record<string, string> {
  return {
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
    'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  };
}

/** The policy of the dashboard page: only its own nonce-tagged style and script, only its own server to talk to. */
export function pagePolicy(nonce: string): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src 'nonce-${nonce}'`,
    "connect-src 'self'",
    "img-src 'self' data:",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}
