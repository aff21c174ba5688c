import { describe, expect, it } from 'vitest';
import { ENDPOINTS, LMS_ENDPOINTS, endpoint, fillPath, SUMMARY_FIELDS } from '../src/api/endpoints';

describe('endpoint map', () => {
  it('lists all 72 LMS endpoints of the Crego docs, each once', () => {
    expect(LMS_ENDPOINTS).toHaveLength(72);
    const keys = new Set(ENDPOINTS.map((e) => e.key));
    expect(keys.size).toBe(ENDPOINTS.length);
  });

  it('keeps the trailing slash on every path', () => {
    for (const e of ENDPOINTS) expect(e.path, e.key).toMatch(/\/$/);
  });

  it('has the documented paths exactly as Crego documents them', () => {
    expect(endpoint('accounts.summary').path).toBe('/v1/lms/accounts/{id}/summary/');
    expect(endpoint('emis.settlements').path).toBe('/v1/lms/settlements/');
    expect(endpoint('payouts.add_tranche')).toMatchObject({ method: 'POST', path: '/v1/lms/payouts/add_tranche/' });
    expect(endpoint('accounts.update_loan_params')).toMatchObject({ method: 'PATCH', path: '/v1/lms/accounts/initiate_loan_params/' });
    expect(endpoint('loans.adjustments')).toMatchObject({ method: 'POST', path: '/v1/lms/loans/{id}/adjustments/' });
    expect(SUMMARY_FIELDS).toHaveLength(23);
  });

  it('encodes path parameters so an id cannot change the path', () => {
    expect(fillPath('/v1/lms/accounts/{id}/summary/', { id: '../x?y' })).toBe('/v1/lms/accounts/..%2Fx%3Fy/summary/');
    expect(() => fillPath('/v1/lms/accounts/{id}/', {})).toThrow(/Missing path parameter 'id'/);
  });

  it('fails loudly on an unknown key', () => {
    expect(() => endpoint('accounts.sumary')).toThrow(/Unknown Crego endpoint/);
  });
});
