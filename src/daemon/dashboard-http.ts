/**
 * The dashboard server's HTTP plumbing: the error that carries a status
 * code to the response, reading a small JSON request body, and sending a
 * response with the dashboard's base headers (HEAD answered without a body).
 * Knows nothing of routes, tokens or the fleet.
 */

import type { IncomingMessage, ServerResponse } from 'node:http';
import { baseHeaders, headerValue } from './dashboard-security.js';

const MAX_BODY_BYTES = 16 * 1024;

/** A refused request: its status, message and extra headers reach the client as the response. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
    /** Answer in plain text rather than JSON: for a person who opened a URL, not a script. */
    readonly plain = false,
  ) {
    super(message);
  }
}

/** Reads an optional JSON object body; empty is fine, anything else malformed is 400, too large 413. */
export async function readJsonBody(req: IncomingMessage): Promise<Record<string, unknown> | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, `request body larger than ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (text.length === 0) return undefined;
  const type = headerValue(req.headers, 'content-type') ?? '';
  if (!/^application\/json\b/i.test(type)) throw new HttpError(415, 'a request body must be JSON (Content-Type: application/json)');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new HttpError(400, 'malformed JSON body');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new HttpError(400, 'the JSON body must be an object');
  return value as Record<string, unknown>;
}

/** Sends `body` with the base headers and its length; a HEAD request gets the headers only. */
export function send(res: ServerResponse, status: number, type: string, body: string, extra: Record<string, string> = {}): void {
  res.writeHead(status, { ...baseHeaders(), ...extra, 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}

/** Sends plain text. */
export function sendText(res: ServerResponse, status: number, text: string): void {
  send(res, status, 'text/plain; charset=utf-8', text);
}

/** Sends a value as JSON. */
export function sendJson(res: ServerResponse, status: number, value: unknown, extra: Record<string, string> = {}): void {
  send(res, status, 'application/json; charset=utf-8', JSON.stringify(value), extra);
}

/** The message of a thrown value. */
export function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
