/**
 * The sandbox for bench/functions in its own thread, like a real server on another machine: its
 * request handling and loan math then do not share the event loop (or the heap's garbage
 * collector) with the client side being measured. Messages: stats, reset, close.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { startSandbox, type SandboxOptions } from '../src/sandbox/index';

const sandbox = await startSandbox(workerData as SandboxOptions);
parentPort!.on('message', async (msg: { op: 'stats' | 'reset' | 'close' }) => {
  if (msg.op === 'stats') parentPort!.postMessage({ op: 'stats', stats: sandbox.stats() });
  else if (msg.op === 'reset') {
    sandbox.resetStats();
    parentPort!.postMessage({ op: 'reset' });
  } else {
    await sandbox.close();
    parentPort!.postMessage({ op: 'close' });
    parentPort!.close();
  }
});
parentPort!.postMessage({ op: 'ready', url: sandbox.url, token: sandbox.token });
