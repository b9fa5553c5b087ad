import { ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '@mash/policy';

/**
 * V8 flags every service process starts with, here and in the image (infra/Dockerfile sets the same
 * in NODE_OPTIONS). V8 lets the old generation grow to a multiple of the live data before a full
 * collection, and that multiple follows the heap's ceiling: with none given on a machine of 24 GiB
 * the ceiling is about 4 GiB and a service with 40-60 MB live grew its heap to 150+ MB of garbage
 * during a burst; under a ceiling of 512 MB it collects at about 1.3-1.5 x live. The ceiling is 8 x
 * the gateway's live heap at its busiest, so it is a target for the collector, not a cap a burst
 * meets. The young generation's semispaces are held to 8 MB (16 by default): 10-15 MB less RSS per
 * service and no CPU cost measured (infra/README.md "Memory per service").
 */
export const SERVICE_NODE_FLAGS = ['--max-old-space-size=512', '--max-semi-space-size=8'];

export interface Deployable {
  /** Short name, used for the log file and as MASH_SERVICE. */
  name: string;
  /** Entry point relative to the repo root, without extension, compiled into dist/. */
  entry: string;
  env?: Record<string, string>;
  /**
   * Its Kafka principal on an authenticated broker, when not its name (see libs/contracts/src/acl.ts);
   * null for a process that never talks to Kafka (the demo identity provider, the demo mailbox).
   */
  principal?: string | null;
}

export interface Running {
  name: string;
  child: ChildProcess;
  logFile: string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Starts a compiled deployable as its own process, its output in <logDir>/<name>.log. */
export function startDeployable(d: Deployable, logDir: string, baseEnv: NodeJS.ProcessEnv = process.env): Running {
  const root = repoRoot();
  mkdirSync(logDir, { recursive: true });
  const logFile = join(logDir, `${d.name}.log`);
  const out = createWriteStream(logFile, { flags: 'a' });
  const child = spawn(process.execPath, [...SERVICE_NODE_FLAGS, join(root, 'scripts', 'launch.js'), d.entry], {
    cwd: root,
    env: { ...baseEnv, MASH_SERVICE: d.name, ...d.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.pipe(out, { end: false });
  child.stderr!.pipe(out, { end: false });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    name: d.name,
    child,
    logFile,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), 10000);
      const code = await exited;
      clearTimeout(timer);
      out.end();
      return code;
    },
  };
}

/** Polls a URL until it answers 200, or fails with the tail of the process log. */
export async function waitForHttp(url: string, timeoutMs = 60000, running?: Running): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    if (running && running.child.exitCode !== null)
      throw new Error(`${running.name} exited with ${running.child.exitCode}; see ${running.logFile}`);
    try {
      const res = await fetch(url);
      if (res.ok) return;
      last = `HTTP ${res.status}`;
    } catch (err) {
      last = (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url} not ready after ${timeoutMs} ms (${last})${running ? `; see ${running.logFile}` : ''}`);
}

/** The Kafka credentials a deployable starts with: its own principal's, none if it never talks to Kafka. */
export function kafkaEnvFor(
  d: Deployable,
  credentials: ((principal: string) => Record<string, string>) | undefined,
): Record<string, string> {
  if (!credentials || d.principal === null) return {};
  return credentials(d.principal ?? d.name);
}
