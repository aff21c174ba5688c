/** Bulk endpoints: `{items}` in, one result per item out, a size cap above BULK_MAX_ITEMS. */
import { BULK_MAX_ITEMS } from '../../api/types';
import { HttpError, validationError } from '../errors';
import { bodyObject, ok, type Ctx, type Handler } from './context';

/** `object_status`: the created (or existing) object's own status, where it has one (a record's payment queue). */
type ItemResult =
  | { index: number; status: 'created'; id: string; errors: null; object_status?: string }
  | { index: number; status: 'duplicate'; id: string; errors: Record<string, string[]> | null; object_status?: string; existing_account?: string }
  | { index: number; status: 'failed'; id: null; errors: Record<string, string[]> };

/**
 * Runs `create` per item, in order (so a later item sees an earlier one: a repeated utr, a line's limit).
 * In `per_item` mode one bad item never sinks the others. In the atomic modes a request with any bad
 * item (a duplicate counts: DRF's unique validator refuses it) is undone with `remove` and answered 400.
 */
export function bulk<T extends { id: string; status?: string }>(create: (ctx: Ctx, item: Record<string, unknown>) => T, remove: (ctx: Ctx, row: T) => void): Handler {
  return (ctx) => {
    const body = bodyObject(ctx);
    const items = body.items;
    if (!Array.isArray(items)) throw validationError({ items: ['Send {"items": [ ... ]}: a list of objects.'] });
    if (items.length > BULK_MAX_ITEMS)
      throw new HttpError(413, 'too_many_items', `Too many items: ${items.length}; a bulk request takes at most ${BULK_MAX_ITEMS}. Split it into chunks of ${BULK_MAX_ITEMS} or fewer.`);
    const created: T[] = [];
    const results = items.map((item, index): ItemResult => {
      if (item === null || typeof item !== 'object' || Array.isArray(item))
        return { index, status: 'failed', id: null, errors: { non_field_errors: ['Each item must be a JSON object.'] } };
      try {
        const row = create(ctx, item as Record<string, unknown>);
        created.push(row);
        return { index, status: 'created', id: row.id, errors: null, ...(row.status ? { object_status: row.status } : {}) };
      } catch (e) {
        if (!(e instanceof HttpError)) throw e;
        if (e.code === 'duplicate') {
          const x = e.extra ?? {};
          return {
            index, status: 'duplicate', id: String(x.existing_id), errors: e.errors ?? null,
            ...(x.existing_status ? { object_status: String(x.existing_status) } : {}),
            ...(x.existing_account ? { existing_account: String(x.existing_account) } : {}),
          };
        }
        return { index, status: 'failed', id: null, errors: e.errors ?? { non_field_errors: [e.message] } };
      }
    });
    const mode = ctx.bulkMode ?? 'per_item';
    const bad = results.filter((r) => r.status !== 'created');
    if (mode !== 'per_item' && bad.length > 0) {
      for (const row of created.reverse()) remove(ctx, row);
      throw atomicRefusal(results, mode === 'atomic');
    }
    return ok({
      count: results.length,
      created: results.filter((r) => r.status === 'created').length,
      failed: results.filter((r) => r.status === 'failed').length,
      duplicates: results.filter((r) => r.status === 'duplicate').length,
      results,
    });
  };
}

/**
 * The 400 of an atomic bulk refusal, in the one error body: `errors.items` holds one object per request
 * item (`{}` for a good one), as DRF's nested `many=True` serializer answers; `detail` names the first few.
 * Unaligned: the field messages merged, without saying which item each belongs to (a server that
 * flattens them), and a count under `items`.
 */
function atomicRefusal(results: ItemResult[], aligned: boolean): HttpError {
  const bad = results.filter((r) => r.status !== 'created');
  const first = bad.slice(0, 3).map((r) => `items[${r.index}] ${Object.entries(r.errors ?? {}).map(([f, m]) => `${f}: ${m.join(' ')}`).join('; ')}`);
  const detail = `Invalid input: ${bad.length} of ${results.length} items refused; nothing was created.` + (aligned ? ` ${first.join(' | ')}${bad.length > 3 ? ' | …' : ''}` : '');
  const merged: Record<string, string[]> = { items: [`${bad.length} of ${results.length} items are invalid; nothing was created.`] };
  for (const r of bad) for (const [f, m] of Object.entries(r.errors ?? {})) merged[f] = [...new Set([...(merged[f] ?? []), ...m])];
  const errors = aligned ? { items: results.map((r) => r.errors ?? {}) } : merged;
  return new HttpError(400, 'invalid', detail, errors as unknown as Record<string, string[]>);
}
