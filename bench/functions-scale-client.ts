/**
 * The scale run's client (cells, batcher, HTTP/2 client) in a process of its own, so `peak_rss_mb` is what
 * 100,000 cells cost and not what the bench's earlier phases left behind: V8 and the allocator keep the pages
 * of a heap that has grown (an RSS measured after the HTTP/1.1 and HTTP/2 phases started at ~600 MB, even
 * after a full collection). The sandbox stays in its own process, warmed by the parent; this one runs one wave and
 * reaches the sandbox's stats through the parent.
 * Messages in: run {url, token, ca, ids} and the parent's answers to stats/reset; out: stats, reset, done.
 */
import type { RemoteSandbox } from './functions';
import { measureWave, peakRss, useH2Client } from './functions-http2';

interface RunMessage {
  op: 'run';
  url: string;
  token: string;
  ca: string;
  ids: string[];
}

const waiting = new Map<string, Array<(msg: any) => void>>();
const ask = (op: 'stats' | 'reset') =>
  new Promise<any>((resolve) => {
    waiting.set(op, [...(waiting.get(op) ?? []), resolve]);
    process.send!({ op });
  });

process.on('message', async (msg: { op: string } & Partial<RunMessage>) => {
  if (msg.op !== 'run') return waiting.get(msg.op)?.shift()?.(msg);
  const { url, token, ca, ids } = msg as RunMessage;
  const sandbox: RemoteSandbox = {
    url,
    token,
    stats: async () => (await ask('stats')).stats,
    resetStats: async () => void (await ask('reset')),
    close: async () => undefined,
  };
  // The parent warmed the sandbox's ledger memo; a warm-up wave here would leave its pages in this RSS too.
  useH2Client(sandbox, { ca });
  const measured = await peakRss(() => measureWave(ids, sandbox));
  process.send!({ op: 'done', run: measured.result, rss: measured.rss, heap: measured.heap, startRss: measured.startRss }, () => process.disconnect());
});
process.send!({ op: 'ready' });
