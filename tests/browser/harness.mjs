// The browser tests' harness: a real `kiroku serve` (binary from KIROKU_BIN, free port, temporary
// data dir — like tests/e2e/kiroku_server.py), the aws CLI pointed at it, headless Chromium
// (/usr/bin/chromium, never a downloaded browser) driven by playwright-core, and RFC 6238 TOTP
// codes for virtual MFA devices. Everything missing fails loudly: these tests never skip.
import { execFile, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const CHROMIUM = process.env.KIROKU_CHROMIUM || '/usr/bin/chromium';

const [nodeMajor] = process.versions.node.split('.').map(Number);
if (nodeMajor < 18) {
  throw new Error(`the browser tests need Node 18 or newer (Debian 12's nodejs; ` +
                  `playwright-core 1.61); this is Node ${process.versions.node}`);
}

// playwright-core comes from tests/browser/node_modules (npm ci, run by scripts/install-deps.sh).
async function loadPlaywright() {
  try {
    return await import('playwright-core');
  } catch (error) {
    throw new Error(
      'playwright-core is not installed in tests/browser/node_modules: run scripts/install-deps.sh ' +
        `(or: cd tests/browser && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci) — ${error.message}`);
  }
}

// Headless Chromium. Each test takes its own context (its own cookies).
export async function launchBrowser() {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: run scripts/install-deps.sh (Debian package chromium)`);
  }
  const { chromium } = await loadPlaywright();
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--disable-dev-shm-usage'] });
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// Polls `fn` until it returns something truthy or `timeoutMs` passes (then its last value).
export async function waitFor(fn, timeoutMs = 15000, intervalMs = 200) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value || Date.now() > deadline) return value;
    await sleep(intervalMs);
  }
}

export class KirokuServer {
  async start() {
    const bin = process.env.KIROKU_BIN;
    if (!bin || !fs.existsSync(bin)) {
      throw new Error('KIROKU_BIN must name the kiroku executable (CTest sets it)');
    }
    this.dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kiroku-browser-'));
    this.port = await freePort();
    this.endpoint = `http://127.0.0.1:${this.port}`;
    const log = fs.openSync(path.join(this.dataDir, 'serve.log'), 'a');
    this.process = spawn(bin, ['serve', '--listen', `127.0.0.1:${this.port}`, '--data-dir',
                               this.dataDir, '--log-level', 'debug'],
                         { stdio: ['ignore', log, log] });
    fs.closeSync(log);
    let exited = null;
    this.process.on('exit', (code, signal) => { exited = code ?? signal; });
    const healthy = await waitFor(async () => {
      if (exited !== null) return true;
      try {
        return (await fetch(`${this.endpoint}/_kiroku/health`)).ok;
      } catch {
        return false;
      }
    }, 20000, 50);
    if (exited !== null || !healthy) {
      throw new Error(`kiroku did not start (exit ${exited}):\n${this.log()}`);
    }
    this.account = (await this.aws('sts', 'get-caller-identity')).Account;
    return this;
  }

  async stop() {
    if (this.process && this.process.exitCode === null) {
      const done = new Promise((resolve) => this.process.once('exit', resolve));
      this.process.kill('SIGKILL');
      await done;
    }
    if (this.dataDir) fs.rmSync(this.dataDir, { recursive: true, force: true });
  }

  log() {
    try {
      return fs.readFileSync(path.join(this.dataDir, 'serve.log'), 'utf8');
    } catch {
      return '';
    }
  }

  // The aws CLI as the startup banner tells a user to run it; returns the parsed JSON output
  // (or null for none). Throws with the CLI's stderr on failure.
  async aws(...args) {
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('AWS_')));
    Object.assign(env, {
      AWS_ENDPOINT_URL: this.endpoint,
      AWS_SHARED_CREDENTIALS_FILE: path.join(this.dataDir, 'credentials'),
      AWS_CONFIG_FILE: '/dev/null',
      AWS_DEFAULT_REGION: 'ap-northeast-1',
      AWS_EC2_METADATA_DISABLED: 'true',
    });
    try {
      const { stdout } = await run('aws', [...args, '--output', 'json'], { env, timeout: 60000 });
      return stdout.trim() ? JSON.parse(stdout) : null;
    } catch (error) {
      throw new Error(`aws ${args.join(' ')} failed: ${error.stderr || error.message}`);
    }
  }

  // The root user's console login, from <data-dir>/root-console-password.
  rootLogin() {
    const text = fs.readFileSync(path.join(this.dataDir, 'root-console-password'), 'utf8');
    const fields = Object.fromEntries(text.split('\n').filter((l) => l.includes(' = '))
      .map((l) => [l.slice(0, l.indexOf(' = ')), l.slice(l.indexOf(' = ') + 3)]));
    return { email: fields.email, password: fields.password };
  }

  // The ConsoleLogin records of `region`, newest first, parsed.
  async consoleLogins(region) {
    const out = await this.aws('cloudtrail', 'lookup-events', '--region', region,
                               '--lookup-attributes',
                               'AttributeKey=EventName,AttributeValue=ConsoleLogin');
    return out.Events.map((e) => JSON.parse(e.CloudTrailEvent));
  }
}

// RFC 4226/6238: the 6-digit HMAC-SHA1 code of a base32 seed for 30-second step `step`.
export function totp(seedBase32, step) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of seedBase32.replace(/=+$/, '')) {
    const v = alphabet.indexOf(c);
    if (v < 0) throw new Error(`not base32: ${c}`);
    bits += v.toString(2).padStart(5, '0');
  }
  const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = crypto.createHmac('sha1', key).update(counter).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  return String((mac.readUInt32BE(offset) & 0x7fffffff) % 1000000).padStart(6, '0');
}

export const stepNow = () => Math.floor(Date.now() / 1000 / 30);
