import { execFile, execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../support/ports';

/**
 * A broker and a Postgres server of the fault suite's own, on their own ports and data
 * directories, so that killing them never touches the shared servers other work depends on.
 */

const run = promisify(execFile);
const ROOT = join(__dirname, '..', '..');

export class PrivateKafka {
  private constructor(
    readonly port: number,
    readonly controllerPort: number,
    readonly dataDir: string,
  ) {}

  static async create(dir: string): Promise<PrivateKafka> {
    return new PrivateKafka(await freePort(), await freePort(), join(dir, 'kafka'));
  }

  get brokers(): string {
    return `127.0.0.1:${this.port}`;
  }

  private env(): NodeJS.ProcessEnv {
    // An open broker: this suite is about crashes and redelivery, and its broker is private to it;
    // authentication and ACLs are proven by test/kafkaAuth.spec.ts and every e2e test of npm test.
    return {
      ...process.env,
      KAFKA_AUTH: 'none',
      KAFKA_PORT: String(this.port),
      KAFKA_CONTROLLER_PORT: String(this.controllerPort),
      KAFKA_DATA_DIR: this.dataDir,
      KAFKA_HEAP_OPTS: '-Xmx384m -Xms128m',
      KAFKA_WAIT_TIMEOUT: '120',
    };
  }

  async start(): Promise<void> {
    await run('bash', [join(ROOT, 'infra', 'kafka.sh'), 'start'], { env: this.env(), maxBuffer: 1 << 22 });
  }

  pid(): number | undefined {
    const f = join(this.dataDir, 'kafka.pid');
    if (!existsSync(f)) return undefined;
    const pid = Number(readFileSync(f, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  }

  /** kill -9 of our own broker (its pid file is in our own data dir), then wait for it to be gone. */
  async kill9(): Promise<number> {
    const pid = this.pid();
    if (!pid) throw new Error('private broker has no pid file');
    process.kill(pid, 'SIGKILL');
    for (let i = 0; i < 100; i++) {
      try {
        process.kill(pid, 0);
      } catch {
        return pid;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`broker ${pid} survived SIGKILL`);
  }

  async stop(): Promise<void> {
    await run('bash', [join(ROOT, 'infra', 'kafka.sh'), 'stop'], { env: { ...this.env(), KAFKA_STOP_TIMEOUT: '10' } }).catch(
      () => undefined,
    );
  }
}

function pgBin(name: string): string {
  const versions = execFileSync('ls', ['/usr/lib/postgresql'])
    .toString()
    .trim()
    .split('\n')
    .sort((a, b) => Number(b) - Number(a));
  for (const v of versions) {
    const p = `/usr/lib/postgresql/${v}/bin/${name}`;
    if (existsSync(p)) return p;
  }
  throw new Error(`no ${name} under /usr/lib/postgresql/*/bin`);
}

/**
 * A throwaway Postgres cluster (initdb in our own directory, our own port and socket directory),
 * crashed with `pg_ctl stop -m immediate` (no checkpoint, recovery from WAL on start) and restarted.
 */
export class PrivatePostgres {
  private constructor(
    readonly port: number,
    readonly dir: string,
  ) {}

  static async create(dir: string): Promise<PrivatePostgres> {
    return new PrivatePostgres(await freePort(), join(dir, 'pg'));
  }

  get adminUrl(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  private get data(): string {
    return join(this.dir, 'data');
  }

  /** initdb and pg_ctl refuse to run as root: run them as the postgres user when we are root. */
  private async as(cmd: string, args: string[]): Promise<void> {
    const asRoot = process.getuid?.() === 0;
    if (asRoot) await run('runuser', ['-u', 'postgres', '--', cmd, ...args], { maxBuffer: 1 << 22 });
    else await run(cmd, args, { maxBuffer: 1 << 22 });
  }

  async init(): Promise<void> {
    mkdirSync(this.dir, { recursive: true });
    if (process.getuid?.() === 0) {
      const pg = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
      const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
      chownSync(this.dir, pg, gid);
    }
    await this.as(pgBin('initdb'), ['-D', this.data, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8']);
    await this.start();
  }

  async start(): Promise<void> {
    const opts = `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c max_connections=200 -c fsync=on -c shared_buffers=64MB`;
    await this.as(pgBin('pg_ctl'), ['-D', this.data, '-l', join(this.dir, 'server.log'), '-o', opts, '-w', '-t', '60', 'start']);
  }

  /** A crash: immediate shutdown skips the checkpoint, so the next start replays the WAL. */
  async crash(): Promise<void> {
    await this.as(pgBin('pg_ctl'), ['-D', this.data, '-m', 'immediate', '-w', 'stop']);
  }

  async stop(): Promise<void> {
    await this.as(pgBin('pg_ctl'), ['-D', this.data, '-m', 'fast', '-w', 'stop']).catch(() => undefined);
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
