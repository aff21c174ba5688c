/**
 * The sandbox for bench/functions in its own thread (or, for the scale run, its own process), like a
 * real server on another machine: its request handling and loan math then do not share the event loop
 * (or the heap's garbage collector, or in a process the RSS) with the client side being measured.
 * Messages: stats, reset, close.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { startSandbox, type SandboxOptions } from '../src/sandbox/index';

type Message = { op: 'stats' | 'reset' | 'close' };
// A worker thread talks over parentPort; a forked process over process.send, its options in argv.
const port = parentPort
  ? { send: (m: unknown) => parentPort!.postMessage(m), on: (f: (m: Message) => void) => parentPort!.on('message', f), done: () => parentPort!.close() }
  : { send: (m: unknown) => process.send!(m), on: (f: (m: Message) => void) => process.on('message', f), done: () => process.disconnect() };
const options = (parentPort ? workerData : JSON.parse(process.argv[2]!)) as SandboxOptions;

const sandbox = await startSandbox(options);
port.on(async (msg) => {
  if (msg.op === 'stats') port.send({ op: 'stats', stats: sandbox.stats() });
  else if (msg.op === 'reset') {
    sandbox.resetStats();
    port.send({ op: 'reset' });
  } else {
    await sandbox.close();
    port.send({ op: 'close' });
    port.done();
  }
});
port.send({ op: 'ready', url: sandbox.url, token: sandbox.token });
