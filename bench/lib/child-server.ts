// Runs a server (Signet or the no-op baseline) as a child process and waits for its port.
import { spawn, type ChildProcess } from 'node:child_process';

export interface ChildServer {
  child: ChildProcess;
  port: number;
  stop(): Promise<void>;
}

/** Starts `node args…` and resolves when a line reveals the port (`listening N` or Signet's JSON log). */
export function startChild(args: string[], env: NodeJS.ProcessEnv = {}): Promise<ChildServer> {
  const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let seen = '';
    const onData = (chunk: Buffer) => {
      seen += chunk.toString();
      const m = /listening (\d+)/.exec(seen) ?? /"port":(\d+)[^\n]*"msg":"signet serving"/.exec(seen);
      if (m) {
        child.stdout!.off('data', onData);
        child.stderr!.off('data', onData);
        child.stdout!.resume();
        child.stderr!.resume();
        resolve({
          child,
          port: Number(m[1]),
          stop: () =>
            new Promise((ok) => {
              child.once('exit', () => ok());
              child.kill('SIGTERM');
            }),
        });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`server exited with ${code}:\n${seen}`)));
  });
}
