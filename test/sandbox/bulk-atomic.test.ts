/**
 * The sandbox's atomic bulk mode (DRF `many=True`): one bad item → 400, nothing created, per-item errors
 * aligned with the request in `errors.items`; `atomic_unaligned` says only how many; per_item unchanged.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseArgs } from '../../src/cli/commands/sandbox';
import { startSandbox } from '../../src/sandbox/index';
import { boot, type Booted } from './helpers';

const BULK = '/v1/lms/records/bulk_create/';
let atomic: Booted;
let unaligned: Booted;
let perItem: Booted;
let accounts: string[];

beforeAll(async () => {
  [atomic, unaligned, perItem] = await Promise.all([boot({ bulkMode: 'atomic' }), boot({ bulkMode: 'atomic_unaligned' }), boot()]);
  const loans = await atomic.get('/v1/lms/loans/?page_size=50');
  accounts = [...new Set<string>(loans.body.results.filter((l: any) => l.type === 'term_loan').map((l: any) => l.account))];
});
afterAll(async () => Promise.all([atomic, unaligned, perItem].map((b) => b?.sb.close())));

const item = (i: number, utr: string, amount: unknown = 500) => ({ account: accounts[i % accounts.length], type: 'repayment', amount, date: '2026-01-10', payment_mode: 'upi', utr });
const countUtr = async (b: Booted, utr: string) => (await b.get(`/v1/lms/records/?utr=${utr}`)).body.count;

describe('bulk create, atomic mode', () => {
  it('one bad item: 400, nothing created, errors.items aligned with the request ({} for good items)', async () => {
    const items = [item(0, 'AT0001'), item(1, 'AT0002', -5), item(2, 'AT0003'), item(3, 'AT0004', 'abc')];
    const r = await atomic.post(BULK, { items });
    expect(r.status).toBe(400);
    expect(r.body.code).toBe('invalid');
    expect(r.body.detail).toMatch(/2 of 4 items refused; nothing was created/);
    expect(r.body.errors.items).toHaveLength(4);
    expect(r.body.errors.items[0]).toEqual({});
    expect(Object.keys(r.body.errors.items[1])).toEqual(['amount']);
    expect(r.body.errors.items[2]).toEqual({});
    expect(Object.keys(r.body.errors.items[3])).toEqual(['amount']);
    for (const utr of ['AT0001', 'AT0002', 'AT0003', 'AT0004']) expect(await countUtr(atomic, utr)).toBe(0);
  });

  it('a duplicate utr (in the store or earlier in the same request) sinks the request too, and is undone cleanly', async () => {
    expect((await atomic.post(BULK, { items: [item(0, 'AT0100')] })).status).toBe(200);
    const r = await atomic.post(BULK, { items: [item(1, 'AT0101'), item(0, 'AT0100'), item(2, 'AT0102'), item(2, 'AT0102')] });
    expect(r.status).toBe(400);
    expect(r.body.errors.items.map((e: object) => Object.keys(e))).toEqual([[], ['utr'], [], ['utr']]);
    expect(await countUtr(atomic, 'AT0101')).toBe(0);
    expect(await countUtr(atomic, 'AT0102')).toBe(0);
    // Undone means gone: the same items, the bad one dropped, are created once.
    const again = await atomic.post(BULK, { items: [item(1, 'AT0101'), item(2, 'AT0102')] });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ created: 2, failed: 0 });
    expect(await countUtr(atomic, 'AT0102')).toBe(1);
  });

  it('atomic_unaligned: the same 400, field messages merged without saying which items', async () => {
    const r = await unaligned.post(BULK, { items: [item(0, 'AU0001'), item(1, 'AU0002', 0)] });
    expect(r.status).toBe(400);
    expect(r.body.errors).toEqual({ items: ['1 of 2 items are invalid; nothing was created.'], amount: [expect.any(String)] });
    expect(await countUtr(unaligned, 'AU0001')).toBe(0);
  });

  it('per_item (default) still creates the good items beside a bad one', async () => {
    const r = await perItem.post(BULK, { items: [item(0, 'PI0001'), item(1, 'PI0002', -1)] });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ created: 1, failed: 1 });
    expect(await countUtr(perItem, 'PI0001')).toBe(1);
  });

  it('--bulk-mode on the command line, and a bad mode refused', async () => {
    expect(parseArgs(['--bulk-mode', 'atomic'])).toMatchObject({ bulkMode: 'atomic' });
    expect(parseArgs(['--bulk-mode=atomic_unaligned'])).toMatchObject({ bulkMode: 'atomic_unaligned' });
    expect(parseArgs(['--bulk-mode', 'all'])).toMatch(/--bulk-mode must be one of per_item, atomic, atomic_unaligned/);
    await expect(startSandbox({ bulkMode: 'x' as never, accounts: 1 })).rejects.toThrow(/bulkMode must be one of/);
  });
});
