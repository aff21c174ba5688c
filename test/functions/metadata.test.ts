/**
 * functions.json as the build generates it from functions.ts: every function with its parameters,
 * optional flags and result shape, and the same ids the CLI (and functions.js) use.
 */
import { generateCustomFunctionsMetadata } from 'custom-functions-metadata';
import { describe, expect, it } from 'vitest';
import { FUNCTIONS } from '../../src/cli/commands/fn';

interface Param {
  name: string;
  type: string;
  dimensionality?: string;
  optional?: boolean;
}
interface Fn {
  id: string;
  name: string;
  description: string;
  parameters: Param[];
  result: { type?: string; dimensionality?: string };
  options?: { cancelable?: boolean; stream?: boolean };
}

async function metadata() {
  const result = await generateCustomFunctionsMetadata(['src/functions/functions.ts']);
  const json = JSON.parse(result.metadataJson) as { functions: Fn[]; allowCustomDataForDataTypeAny?: boolean };
  return { errors: result.errors, functions: json.functions, associate: result.associate, allowCustomData: json.allowCustomDataForDataTypeAny };
}

describe('functions.json', () => {
  it('generates without errors, with the CLI’s ids and parameters, each associated to its export', async () => {
    const { errors, functions, associate } = await metadata();
    expect(errors).toEqual([]);
    expect(functions.map((f) => f.id)).toEqual(Object.keys(FUNCTIONS));
    for (const f of functions) {
      expect(f.parameters.map((p) => p.name), f.id).toEqual(FUNCTIONS[f.id]!.params);
      expect(f.description.length, f.id).toBeGreaterThan(20);
    }
    expect(associate.map((a) => a.id)).toEqual(functions.map((f) => f.id));
  });

  it('declares spills, optional arguments, cancellation and streaming as the functions behave', async () => {
    const { functions } = await metadata();
    const byId = Object.fromEntries(functions.map((f) => [f.id, f]));
    const optional = (id: string) => byId[id]!.parameters.filter((p) => p.optional).map((p) => p.name);

    expect(byId.SUMMARY!.parameters.slice(0, 2).map((p) => p.dimensionality)).toEqual(['matrix', 'matrix']);
    expect(optional('SUMMARY')).toEqual(['field', 'asOfDate', 'includeClosed']);
    expect(optional('EMI')).toEqual(['startDate', 'firstDueDate', 'rounding']);
    expect(optional('LOANS')).toEqual(['status', 'type', 'assetCategory', 'search']);
    expect(optional('LIVE')).toEqual(['seconds']);
    expect(byId.EMI!.result).toEqual({ type: 'number' });
    expect(optional('PORTFOLIO')).toEqual(['asOfDate', 'groupBy']);
    expect(optional('ROLLRATES')).toEqual(['measure']);
    for (const id of ['SUMMARY', 'SCHEDULE', 'EMIS', 'OUTSTANDING', 'LOANPARAMS', 'LOANS', 'RECORDS', 'FEES', 'SETTLEMENTS', 'TOPUPS', 'LINE', 'FIELDS', 'LOAN', 'PORTFOLIO', 'ROLLRATES']) {
      expect(byId[id]!.result.dimensionality, id).toBe('matrix');
    }
    for (const f of functions.filter((f) => !['FIELDS', 'LIVE'].includes(f.id))) expect(f.options?.cancelable, f.id).toBe(true);
    expect(byId.LIVE!.options).toEqual({ stream: true });
    expect(byId.FIELDS!.options?.cancelable).toBeUndefined();
  });

  it('lets LOAN return an entity value: data types allowed for "any" results (CustomFunctionsRuntime 1.4), a result of type any', async () => {
    const { functions, allowCustomData } = await metadata();
    // Without this flag Excel turns an entity result into #VALUE! instead of a card.
    expect(allowCustomData).toBe(true);
    const loan = functions.find((f) => f.id === 'LOAN')!;
    // A fixed scalar type (number, string, boolean) would refuse the entity; no type means any.
    expect(loan.result).toEqual({ dimensionality: 'matrix' });
    expect(loan.parameters.map((p) => p.name)).toEqual(['accountId']);
  });
});
