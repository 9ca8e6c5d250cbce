// The fault-injection suite's own Postgres and Redis, on free ports in a directory of its own (never the shared
// ones: this suite kills, stops and restarts them), and the TCP proxies through which each app reaches them, so the
// network between one app and a store can be cut.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { join } from 'node:path';

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const handedOut = new Set();

/** A port nothing listens on, never the same one twice in a run (the suite hands out many before they are bound). */
export async function freePort() {
  for (;;) {
    const port = await new Promise((resolve, reject) => {
      const server = createServer();
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        const { port: p } = server.address();
        server.close(() => resolve(p));
      });
    });
    if (!handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
}

export function reachable(port) {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port, timeout: 1000 });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => (socket.destroy(), resolve(false)));
  });
}

async function waitReachable(port, what, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await reachable(port))) {
    if (Date.now() > deadline) throw new Error(`${what} did not listen on ${port} within ${timeoutMs} ms`);
    await sleep(100);
  }
}

/** Debian's Postgres binaries (the newest major installed), or the ones on PATH. */
function postgresBin() {
  const base = '/usr/lib/postgresql';
  if (existsSync(base)) {
    const majors = readdirSync(base)
      .filter((v) => existsSync(join(base, v, 'bin', 'initdb')))
      .sort((a, b) => Number(b) - Number(a));
    if (majors.length > 0) return join(base, majors[0], 'bin');
  }
  return '';
}

/**
 * A Postgres cluster of its own: initdb in `dir`, trust authentication for user postgres, listening on loopback
 * only. Run as the `postgres` OS user when this process is root (Postgres refuses to run as root).
 */
export async function startPostgres(dir) {
  const bin = postgresBin();
  const tool = (name) => (bin ? join(bin, name) : name);
  const asRoot = process.getuid?.() === 0;
  const exec = (name, args, options = {}) => {
    const [command, full] = asRoot
      ? ['runuser', ['-u', 'postgres', '--', tool(name), ...args]]
      : [tool(name), args];
    const result = spawnSync(command, full, { encoding: 'utf8', ...options });
    if (result.status !== 0)
      throw new Error(`${name} ${args.join(' ')} failed: ${result.stderr || result.stdout || result.error}`);
    return result.stdout;
  };
  const port = await freePort();
  const data = join(dir, 'postgres');
  mkdirSync(data, { recursive: true });
  if (asRoot) {
    spawnSync('chown', ['-R', 'postgres', dir]);
    chmodSync(dir, 0o755);
  }
  exec('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
  const options = [
    `-p ${port}`,
    "-c listen_addresses='127.0.0.1'",
    `-k ${data}`,
    '-c max_connections=300',
    '-c shared_buffers=64MB',
  ].join(' ');
  const start = () => exec('pg_ctl', ['-D', data, '-o', options, '-l', join(data, 'log'), '-w', 'start']);
  start();
  return {
    port,
    url: (database) => `postgres://postgres@127.0.0.1:${port}/${database}`,
    /** `pg_ctl stop -m immediate`: every backend quits at once, no checkpoint (crash recovery at the next start). */
    stopImmediately: () => exec('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']),
    start: async () => {
      start();
      await waitReachable(port, 'Postgres');
    },
    stop: () => {
      try {
        exec('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']);
      } catch {
        // already stopped
      }
    },
  };
}

/**
 * A redis-server of its own: AOF every second (auto-rewrite off, so an older copy of the AOF directory stays a
 * valid, shorter history), noeviction. `kill()` is kill -9; `snapshotAof()` and `restoreAof()` keep and put back a
 * copy of the AOF, so Redis can be restarted having lost its last writes.
 */
export async function startRedis(dir) {
  const port = await freePort();
  const data = join(dir, 'redis');
  mkdirSync(data, { recursive: true });
  let child;
  const start = async () => {
    child = spawn(
      'redis-server',
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--dir',
        data,
        '--appendonly',
        'yes',
        '--appendfsync',
        'everysec',
        '--auto-aof-rewrite-percentage',
        '0',
        '--aof-load-truncated',
        'yes',
        '--save',
        '',
        '--maxmemory-policy',
        'noeviction',
      ],
      { stdio: 'ignore' },
    );
    await waitReachable(port, 'Redis');
  };
  await start();
  const aof = join(data, 'appendonlydir');
  const copy = join(dir, 'redis-aof-snapshot');
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    pid: () => child.pid,
    async kill() {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    },
    start,
    snapshotAof() {
      rmSync(copy, { recursive: true, force: true });
      cpSync(aof, copy, { recursive: true });
    },
    restoreAof() {
      rmSync(aof, { recursive: true, force: true });
      cpSync(copy, aof, { recursive: true });
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) await this.kill();
    },
  };
}

/**
 * A TCP proxy on loopback to `targetPort`. `cut()` is a network partition: bytes in flight on open connections are
 * dropped in both directions and new connections are accepted and left hanging; `heal()` resets them all (as TCP
 * would once its keepalive gave up) and forwards again.
 */
export async function startProxy(targetPort) {
  const pairs = new Set();
  const hanging = new Set();
  let partitioned = false;
  const server = createServer((client) => {
    client.on('error', () => {});
    if (partitioned) {
      hanging.add(client);
      client.once('close', () => hanging.delete(client));
      return;
    }
    const upstream = createConnection({ host: '127.0.0.1', port: targetPort });
    upstream.on('error', () => {});
    const pair = { client, upstream, dropped: false };
    pairs.add(pair);
    client.on('data', (chunk) => void (pair.dropped || upstream.write(chunk)));
    upstream.on('data', (chunk) => void (pair.dropped || client.write(chunk)));
    const close = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.once('close', close);
    upstream.once('close', close);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  handedOut.add(port);
  return {
    port,
    cut() {
      partitioned = true;
      for (const pair of pairs) pair.dropped = true;
    },
    heal() {
      partitioned = false;
      for (const pair of [...pairs])
        if (pair.dropped) (pair.client.resetAndDestroy(), pair.upstream.destroy());
      for (const client of [...hanging]) client.resetAndDestroy();
    },
    close() {
      for (const { client, upstream } of pairs) (client.destroy(), upstream.destroy());
      for (const client of hanging) client.destroy();
      server.close();
    },
  };
}
