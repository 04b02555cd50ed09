// The relay under test, as users run it (`server/main.ts`, embedded engine), in its own process
// so the engine's firehose never shares an event loop with the benchmark driver. Test hooks are
// on: the benchmarks script the engine through its control routes (/__engine/*).
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface RelayProcess {
  /** e.g. http://127.0.0.1:43817 */
  url: string;
  stop(): Promise<void>;
}

const REPO = fileURLToPath(new URL('..', import.meta.url));
const START_TIMEOUT_MS = 30_000;

export async function startRelay(): Promise<RelayProcess> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    cwd: REPO,
    // Port 0: the relay picks a free port and prints it; the upstream is the embedded engine.
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', SWITCHBOARD_TEST_HOOKS: '1', OPENAI_BASE_URL: '', OPENAI_API_KEY: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // Never outlive the benchmark, even when it is interrupted (run.ts exits on SIGINT/SIGTERM).
  const killChild = () => child.kill();
  process.once('exit', killChild);
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`relay did not start:\n${output}`)), START_TIMEOUT_MS);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /Switchboard on (http:\/\/[^\s]+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`relay exited (${code}):\n${output}`));
    });
  });
  return {
    url,
    stop: () =>
      new Promise<void>((resolve) => {
        process.off('exit', killChild);
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
