/**
 * The behaviour settings an API profile may change, with their defaults (profile.ts parses them).
 * Apart from profile.ts so the client contract can name them without importing the parser, which
 * itself needs the contract's errors.
 */
import type { BusinessDateEncoding } from './dates';

/** Where Crego keeps a payment's UTR unique: per account (first platform, as assumed) or across the tenant (newer). */
export type UtrScope = 'account' | 'tenant';
export const UTR_SCOPES: readonly UtrScope[] = ['account', 'tenant'];

/** The profile's behaviour settings, with their defaults: what the bulk engine and the client follow. */
export interface ApiSettings {
  utrScope: UtrScope;
  businessDateEncoding: BusinessDateEncoding;
}

export const DEFAULT_SETTINGS: ApiSettings = { utrScope: 'account', businessDateEncoding: 'end_of_day' };
