/**
 * The endpoint map's keys are types, not strings: a typo in an endpoint key fails `tsc` (run by
 * `npm test` before vitest) at every kind of call site. Each `@ts-expect-error` below is itself checked:
 * were the typo accepted, the directive would be unused and tsc would fail on it.
 */
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { CregoClient } from '../../src/api/contract';
import { ENDPOINTS, endpoint, type EndpointKey, type PagedKey } from '../../src/api/endpoints';
import type { AccountSummary, Answer, BulkAnswer, Loan, PageItem, TokenAnswer } from '../../src/api/types';
import type { SheetKind } from '../../src/bulk/kinds/types';
import type { Fetch } from '../../src/functions/batcher';

/** Never called: only compiled. */
function callSites(client: CregoClient, kind: SheetKind) {
  // @ts-expect-error 'acounts.summary' is not a key of the endpoint map
  void client.call('acounts.summary', { path: { id: 'x' } });
  // @ts-expect-error listAll takes only paged endpoints
  void client.listAll('accounts.summary');
  // @ts-expect-error pages: a typo
  void client.pages('loan.list');
  // @ts-expect-error a sheet kind names its endpoints by key
  const k: SheetKind = { ...kind, bulkEndpoint: 'records.bulkcreate' };
  // @ts-expect-error a formula's fetch names its endpoint by key
  const f: Fetch = { endpoint: 'accounts.sumary' };
  return [k, f];
}

describe('typed endpoint keys and answers', () => {
  it('EndpointKey is the union of the map keys, and each answer has its type', () => {
    expect(typeof callSites).toBe('function');
    expectTypeOf<EndpointKey>().not.toEqualTypeOf<string>();
    expectTypeOf<'accounts.summary'>().toMatchTypeOf<EndpointKey>();
    expectTypeOf<'loans.list'>().toMatchTypeOf<PagedKey>();
    expectTypeOf<Answer<'accounts.summary'>>().toEqualTypeOf<AccountSummary>();
    expectTypeOf<Answer<'records.bulk_create'>>().toEqualTypeOf<BulkAnswer>();
    expectTypeOf<Answer<'auth.login'>>().toEqualTypeOf<TokenAnswer>();
    expectTypeOf<PageItem<'loans.list'>>().toEqualTypeOf<Loan>();
    // An endpoint without a typed answer is typed by its shape in the map.
    expectTypeOf<Answer<'payouts.list'>['results']>().toEqualTypeOf<Record<string, unknown>[]>();
  });

  it('at run time a key outside the map still fails loudly (profiles and probes hold keys as text)', () => {
    expect(() => endpoint('acounts.summary')).toThrow("Unknown Crego endpoint 'acounts.summary'");
    expect(new Set(ENDPOINTS.map((e) => e.key)).size).toBe(ENDPOINTS.length);
  });
});
