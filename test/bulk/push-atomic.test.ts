/**
 * The push engine against a Bulk Create that refuses a whole chunk for one bad item (the sandbox's
 * atomic modes, DRF `many=True`), and against 409s on a whole chunk. Over real HTTP; every test reads
 * the sandbox's own listing: each good row exactly once, each bad row absent with its own message.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { epochToIsoDate } from '../../src/api/dates';
import { createNodeClient } from '../../src/api/node';
import type { CregoClient } from '../../src/api/contract';
import type { Loan } from '../../src/api/types';
import { KINDS, pushSheet, splitLevels } from '../../src/bulk';
import { startSandbox, type RunningSandbox } from '../../src/sandbox/index';
import { applyResults, clientFor, countsInSandbox, exactlyOnce, RECORD_HEADERS, recordRows } from './helpers';

const UNKNOWN = '00000000-0000-4000-8000-000000000000';

interface World {
  sb: RunningSandbox;
  client: CregoClient;
  loans: string[];
  /** A date before the first loan's disbursal: valid in the sheet, refused by Crego. */
  early: { account: string; date: string };
}

async function world(bulkMode: 'atomic' | 'atomic_unaligned'): Promise<World> {
  const sb = await startSandbox({ accounts: 12, seed: 11, quiet: true, bulkMode });
  const client = clientFor(sb);
  const all = await client.listAll('loans.list', { pageSize: 500 });
  const terms = all.filter((l) => l.type === 'term_loan');
  const loans = [...new Set(terms.map((l) => l.account))];
  const early = { account: terms[0].account, date: epochToIsoDate(terms[0].disbursal_date - 40 * 86_400) };
  return { sb, client, loans, early };
}

/** 200 good repayments with rows 51 and 151 (sheet rows 52 and 152) made bad in ways only Crego can see. */
function sheetWithTwoBad(w: World, prefix: string) {
  const rows = recordRows(w.loans, 200, prefix);
  rows[50][0] = UNKNOWN;
  rows[150][0] = w.early.account;
  rows[150][3] = w.early.date;
  const bad = [String(rows[50][5]), String(rows[150][5])];
  const good = rows.map((r) => String(r[5])).filter((k) => !bad.includes(k));
  return { values: [RECORD_HEADERS, ...rows], good, bad };
}


const ACCOUNT_MESSAGE = `Refused by Crego: Account: No account with id '${UNKNOWN}'.`;
const DATE_MESSAGE = /^Refused by Crego: Date: Is before the loan's disbursal date \d{4}-\d{2}-\d{2}\.$/;

async function pushTwice(w: World, prefix: string) {
  const { values, good, bad } = sheetWithTwoBad(w, prefix);
  w.sb.resetStats();
  const first = await pushSheet({ kind: KINDS.records, values, client: w.client, chunkSize: 200, concurrency: 1 });
  const firstBulk = w.sb.stats().byEndpoint['records.bulk_create'];
  const afterFirst = await countsInSandbox(w.client, 'records', [...w.loans, UNKNOWN], prefix);
  w.sb.resetStats();
  const second = await pushSheet({ kind: KINDS.records, values: applyResults(values, first), client: w.client, chunkSize: 200, concurrency: 1 });
  const afterSecond = await countsInSandbox(w.client, 'records', [...w.loans, UNKNOWN], prefix);
  return { first, second, firstBulk, afterFirst, afterSecond, good, bad };
}

describe('a chunk refused as a whole (atomic Bulk Create)', () => {
  let aligned: World;
  let unaligned: World;
  beforeAll(async () => {
    [aligned, unaligned] = await Promise.all([world('atomic'), world('atomic_unaligned')]);
  });
  afterAll(async () => Promise.all([aligned, unaligned].map((w) => w?.sb.close())));

  it('aligned per-item errors: 2 bad rows failed with their field messages, 198 posted exactly once in one more request; a re-run posts nothing twice', async () => {
    const r = await pushTwice(aligned, '8101');
    expect(r.first.counts).toMatchObject({ posted: 198, alreadyThere: 0, failed: 2, unknown: 0, invalid: 0 });
    // The refused chunk, then the 198 good rows in a new chunk.
    expect(r.first.requests.bulk).toBe(2);
    expect(r.firstBulk).toBe(2);
    expect(r.first.results[51]!.slice(0, 1)).toEqual(['failed']);
    expect(r.first.results[51]![2]).toBe(ACCOUNT_MESSAGE);
    expect(r.first.results[151]![0]).toBe('failed');
    expect(r.first.results[151]![2]).toMatch(DATE_MESSAGE);
    expect(r.first.problems.map((p) => [p.row, p.status])).toEqual([[52, 'failed'], [152, 'failed']]);
    expect(exactlyOnce(r.afterFirst, r.good)).toEqual({ missing: [], repeated: [], extra: [] });

    // Re-run: the 198 posted rows are skipped; the 2 failed rows are retried, refused again, and nothing is created twice.
    expect(r.second.counts).toMatchObject({ posted: 0, skipped: 198, failed: 2 });
    expect(r.second.requests.bulk).toBe(1);
    expect(r.second.results[51]![2]).toBe(ACCOUNT_MESSAGE);
    expect(exactlyOnce(r.afterSecond, r.good)).toEqual({ missing: [], repeated: [], extra: [] });
  });

  it('unaligned answer: halves the chunk down to single rows (bounded), each bad row gets its own message, 198 posted exactly once', async () => {
    const r = await pushTwice(unaligned, '8102');
    expect(r.first.counts).toMatchObject({ posted: 198, failed: 2, unknown: 0 });
    expect(r.first.results[51]![2]).toBe(ACCOUNT_MESSAGE);
    expect(r.first.results[151]![2]).toMatch(DATE_MESSAGE);
    // Each bad row costs at most two requests per halving level, plus the first refusal.
    expect(splitLevels(200)).toBe(8);
    expect(r.first.requests.bulk).toBeGreaterThan(2);
    expect(r.first.requests.bulk).toBeLessThanOrEqual(1 + 2 * 2 * splitLevels(200));
    expect(r.firstBulk).toBe(r.first.requests.bulk);
    expect(exactlyOnce(r.afterFirst, r.good)).toEqual({ missing: [], repeated: [], extra: [] });
    expect(r.second.counts).toMatchObject({ posted: 0, skipped: 198, failed: 2 });
    expect(exactlyOnce(r.afterSecond, r.good)).toEqual({ missing: [], repeated: [], extra: [] });
  });

  it("DRF's own list body ([{}, {field: [...]}, …] as the whole 400 answer) is aligned the same way", async () => {
    const front = await listBodyFront(aligned.sb);
    const client = createNodeClient({ baseUrl: front.url, token: aligned.sb.token, environment: 'sandbox', cacheTtlMs: 0, retry: { retries: 0 } });
    const { values, good } = sheetWithTwoBad(aligned, '8104');
    const report = await pushSheet({ kind: KINDS.records, values, client, chunkSize: 200 });
    await front.close();
    expect(front.listBodies).toBe(1);
    expect(report.counts).toMatchObject({ posted: 198, failed: 2 });
    expect(report.requests.bulk).toBe(2);
    expect(report.results[51]![2]).toBe(ACCOUNT_MESSAGE);
    expect(report.results[151]![2]).toMatch(DATE_MESSAGE);
    expect(exactlyOnce(await countsInSandbox(aligned.client, 'records', [...aligned.loans, UNKNOWN], '8104'), good)).toEqual({ missing: [], repeated: [], extra: [] });
  });

  it('a row Crego refuses as a duplicate of one it holds (unique check in an atomic 400) is looked up and reported already there', async () => {
    const rows = recordRows(aligned.loans, 6, '8103');
    await pushSheet({ kind: KINDS.records, values: [RECORD_HEADERS, rows[2]], client: aligned.client });
    // A new sheet holding the already-posted payment among five new ones: the whole chunk is refused for it.
    const report = await pushSheet({ kind: KINDS.records, values: [RECORD_HEADERS, ...rows], client: aligned.client, chunkSize: 6 });
    expect(report.counts).toMatchObject({ posted: 6, alreadyThere: 1, failed: 0 });
    expect(report.results[3]![2]).toMatch(/^Already in Crego: a record with UTR 8103\d+ exists on this account/);
    expect(exactlyOnce(await countsInSandbox(aligned.client, 'records', aligned.loans, '8103'), rows.map((r) => String(r[5])))).toEqual({ missing: [], repeated: [], extra: [] });
  });
});

/**
 * A loopback front that answers the first bulk request with 409 (optionally after passing it on, as a
 * gateway whose upstream is still working on that key), and forwards everything else to the sandbox.
 */
async function conflictFront(sb: RunningSandbox, passFirstOn: boolean) {
  const keys: string[] = [];
  let conflicts = 0;
  const server: Server = createServer(async (req, res) => {
    const raw = await readBody(req);
    const forward = () => fetch(sb.url + req.url, { method: req.method, headers: forwardHeaders(req), body: req.method === 'POST' ? raw.toString('utf8') : undefined });
    if (req.method === 'POST' && req.url?.includes('/bulk_create/')) {
      keys.push(String(req.headers['idempotency-key']));
      if (conflicts === 0) {
        conflicts++;
        if (passFirstOn) await (await forward()).text();
        res.writeHead(409, { 'content-type': 'application/json' });
        return void res.end(JSON.stringify({ detail: 'A request with this Idempotency-Key is still being processed.', code: 'idempotency_key_in_use' }));
      }
    }
    const answer = await forward();
    const text = await answer.text();
    res.writeHead(answer.status, { 'content-type': 'application/json' });
    res.end(text);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, keys, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** Forwards to the sandbox; a 400 from a bulk create is answered with just its `errors.items` list (DRF's shape). */
async function listBodyFront(sb: RunningSandbox) {
  const state = { listBodies: 0 };
  const server: Server = createServer(async (req, res) => {
    const raw = await readBody(req);
    const answer = await fetch(sb.url + req.url, { method: req.method, headers: forwardHeaders(req), body: req.method === 'POST' ? raw.toString('utf8') : undefined });
    let text = await answer.text();
    if (answer.status === 400 && req.url?.includes('/bulk_create/')) {
      text = JSON.stringify(JSON.parse(text).errors.items);
      state.listBodies++;
    }
    res.writeHead(answer.status, { 'content-type': 'application/json' });
    res.end(text);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    get listBodies() { return state.listBodies; },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c)).on('end', () => resolve(Buffer.concat(parts)));
  });
}

function forwardHeaders(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string' && k !== 'host' && k !== 'content-length') headers[k] = v;
  return headers;
}

describe('a 409 on a whole bulk request', () => {
  let sb: RunningSandbox;
  let direct: CregoClient;
  let loans: string[];
  beforeAll(async () => {
    sb = await startSandbox({ accounts: 12, seed: 11, quiet: true });
    direct = clientFor(sb);
    loans = [...new Set((await direct.listAll('loans.list', { pageSize: 500 })).filter((l) => l.type === 'term_loan').map((l) => l.account))];
  });
  afterAll(async () => sb?.close());

  const via = (url: string) => createNodeClient({ baseUrl: url, token: sb.token, environment: 'sandbox', cacheTtlMs: 0, retry: { retries: 0 } });

  it('rows the in-progress request did create are found by lookup and never sent again', async () => {
    const front = await conflictFront(sb, true);
    const rows = recordRows(loans, 20, '8201');
    const report = await pushSheet({ kind: KINDS.records, values: [RECORD_HEADERS, ...rows], client: via(front.url), chunkSize: 20 });
    await front.close();
    expect(report.counts).toMatchObject({ posted: 20, alreadyThere: 20, failed: 0 });
    expect(report.results[1]![2]).toMatch(/^Already in Crego: found by UTR 8201\d+ after a 409 answer to the whole chunk/);
    expect(front.keys).toHaveLength(1);
    expect(exactlyOnce(await countsInSandbox(direct, 'records', loans, '8201'), rows.map((r) => String(r[5])))).toEqual({ missing: [], repeated: [], extra: [] });
  });

  it('rows not created are looked up, found absent, and sent again under a new Idempotency-Key: posted once, never "Not posted"', async () => {
    const front = await conflictFront(sb, false);
    const rows = recordRows(loans, 20, '8202');
    const report = await pushSheet({ kind: KINDS.records, values: [RECORD_HEADERS, ...rows], client: via(front.url), chunkSize: 20 });
    await front.close();
    expect(report.counts).toMatchObject({ posted: 20, alreadyThere: 0, failed: 0 });
    expect(report.requests.lookups).toBe(20);
    expect(front.keys).toHaveLength(2);
    expect(front.keys[1]).not.toBe(front.keys[0]);
    expect(report.results.slice(1).every((r) => r![0] === 'posted' && r![2] === 'Created')).toBe(true);
    expect(exactlyOnce(await countsInSandbox(direct, 'records', loans, '8202'), rows.map((r) => String(r[5])))).toEqual({ missing: [], repeated: [], extra: [] });
  });
});
