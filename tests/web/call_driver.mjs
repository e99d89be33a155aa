// The node side of tests/web/call_driver (real SIP callers): one process, one JSON command a line, one answer a
// line (commands: call_driver.cpp). CONFPRO_CALL_DRIVER names the binary (set by ctest).
import { spawn } from 'node:child_process';
import { setPriority } from 'node:os';
import { createInterface } from 'node:readline';

// `nice`: the driver's scheduling priority (benchmarks: the phones stand for devices of their own, so what they
// measure is the server, not this machine's other load); its threads, started later, inherit it.
export function startDriver({ nice = 0 } = {}) {
  const bin = process.env.CONFPRO_CALL_DRIVER;
  if (!bin) throw new Error('CONFPRO_CALL_DRIVER is not set (run through ctest)');
  const child = spawn(bin, [], { stdio: ['pipe', 'pipe', 'inherit'] });
  if (nice) setPriority(child.pid, nice);
  const waiting = [];
  createInterface({ input: child.stdout }).on('line', (line) => waiting.shift()?.(JSON.parse(line)));
  return {
    send(cmd) {
      return new Promise((resolve) => { waiting.push(resolve); child.stdin.write(JSON.stringify(cmd) + '\n'); });
    },
    async stop() {
      child.stdin.end();
      await new Promise((r) => { if (child.exitCode !== null) r(); else child.on('exit', r); setTimeout(() => { child.kill('SIGKILL'); r(); }, 8000); });
    },
  };
}
