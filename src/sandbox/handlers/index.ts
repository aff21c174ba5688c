/**
 * Endpoint handlers, keyed by the endpoint map's keys. Each takes the parsed request and returns a status and
 * a JSON body, or throws an HttpError; the server does routing, auth, idempotency and faults around them.
 */
import { summary, loanParams, refreshLimit, createAccount, updateLoanParams } from './accounts';
import { bulk } from './bulk';
import type { Handler } from './context';
import { addTranche, calculateEmi, listEmis, listSettlements, outstanding } from './emis';
import { createFee, createFeeFrom, deleteFee, feeDemands, getFee, listFees } from './fees';
import { adjustment, emiAmount, excessBalance, listLoans, loanSummary } from './loans';
import { createRecord, createRecordFrom, excessRefund, getRecord, listRecords } from './records';
import { checkLineAmount, createTopup, createTopupFrom, listTopups } from './topups';

export type { Ctx, Answer, Handler, BulkMode, UtrScope } from './context';
export { BULK_MODES, UTR_SCOPES } from './context';

export const HANDLERS: Record<string, Handler> = {
  'accounts.summary': summary,
  'accounts.loan_params': loanParams,
  'accounts.refresh_limit': refreshLimit,
  'accounts.create': createAccount,
  'accounts.update_loan_params': updateLoanParams,
  'loans.list': listLoans,
  'loans.summary': loanSummary,
  'loans.emi_amount': emiAmount,
  'loans.adjustments': adjustment,
  'loans.excess_balance': excessBalance,
  'emis.list': listEmis,
  'emis.settlements': listSettlements,
  'emis.calculate': calculateEmi,
  'emis.outstanding': outstanding,
  'payouts.add_tranche': addTranche,
  'records.create': createRecord,
  'records.bulk_create': bulk((ctx, item) => createRecordFrom(ctx, item), (ctx, r) => ctx.engine.store.removeRecord(r)),
  'records.list': listRecords,
  'records.get': getRecord,
  'records.excess_refund': excessRefund,
  'fees.create': createFee,
  'fees.bulk_create': bulk(createFeeFrom, (ctx, fee) => ctx.engine.store.deleteFee(fee)),
  'fees.list': listFees,
  'fees.get': getFee,
  'fees.delete': deleteFee,
  'fees.demands': feeDemands,
  'topups.create': createTopup,
  'topups.bulk_create': bulk(createTopupFrom, (ctx, t) => ctx.engine.store.removeTopup(t)),
  'topups.list': listTopups,
  'topups.check_line_amount': checkLineAmount,
};
