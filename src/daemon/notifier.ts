/**
 * Tells the manifest's `notify:` target about applied and rejected changes,
 * alerts and failures: a command that reads the JSON on stdin, or a POST to
 * an http(s) webhook (webhook.ts: headers, timeout, retries). Fire and
 * forget, bounded in time; a failing notifier is reported back but never
 * blocks or breaks the daemon.
 */

import { spawn } from 'node:child_process';
import type { OrchestraEvent } from '../events/event.js';
import type { Plan } from '../plan/spec.js';
import { postWebhook } from './webhook.js';

export type NotificationKind = 'applied' | 'rejected' | 'alert' | 'failed';

/** One notification as the target receives it. */
export interface Notification {
  kind: NotificationKind;
  project: string;
  time: string;
  message: string;
  details?: Record<string, unknown>;
}

const TIMEOUT_MS = 10_000;

/** The notification an engine event deserves, if any. */
export function notificationFor(event: OrchestraEvent, project: string): Notification | undefined {
  if (event.type === 'agent-failed') {
    return { kind: 'failed', project, time: event.time, message: `${event.agent} failed: ${event.reason}`, details: { agent: event.agent } };
  }
  if (event.type === 'threshold-breached') {
    return {
      kind: 'alert',
      project,
      time: event.time,
      message: event.message,
      details: { agent: event.agent, metric: event.metric, level: event.level, value: event.value, limit: event.limit },
    };
  }
  return undefined;
}

function runCommand(argv: string[], payload: string, cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), { cwd, stdio: ['pipe', 'ignore', 'ignore'] });
    const timer = setTimeout(() => child.kill('SIGKILL'), TIMEOUT_MS);
    child.on('error', (error) => (clearTimeout(timer), reject(error)));
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`notify command exited with ${signal ?? `code ${code}`}`));
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(payload);
  });
}

/** Sends a notification to the plan's target when it wants this kind; resolves with the delivery error, if any. */
export async function notify(plan: Plan | undefined, notification: Notification): Promise<Error | undefined> {
  const target = plan?.notify;
  if (!target || !target.events.includes(notification.kind)) return undefined;
  const payload = JSON.stringify(notification) + '\n';
  const deliveries: Promise<void>[] = [];
  if (target.command) deliveries.push(runCommand(target.command, payload, plan.baseDir));
  if (target.webhook) {
    const url = target.webhook;
    // Revisions written before `timeout` and `retries` existed lack them: the documented defaults.
    const timing = { timeoutMs: target.timeoutMs ?? 5000, retries: target.retries ?? 3 };
    deliveries.push(
      postWebhook({ url, ...timing, ...(target.headers ? { headers: target.headers } : {}) }, payload).then((r) => {
        if (!r.ok) throw new Error(`webhook failed after ${r.attempts} attempt(s): ${r.reason}`);
      }),
    );
  }
  // Each target on its own: a failing command must not hide a failing webhook, or the other way round.
  const failures = (await Promise.allSettled(deliveries)).flatMap((r) => (r.status === 'rejected' ? [r.reason instanceof Error ? r.reason.message : String(r.reason)] : []));
  return failures.length > 0 ? new Error(failures.join('; ')) : undefined;
}
