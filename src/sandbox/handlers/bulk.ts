/** Bulk endpoints: `{items}` in, one result per item out, a size cap above BULK_MAX_ITEMS. */
import { BULK_MAX_ITEMS } from '../../api/types';
import { HttpError, validationError } from '../errors';
import { bodyObject, ok, type Ctx, type Handler } from './context';

/** Runs `create` per item: one bad item never sinks the others. */
export function bulk(create: (ctx: Ctx, item: Record<string, unknown>) => { id: string }): Handler {
  return (ctx) => {
    const body = bodyObject(ctx);
    const items = body.items;
    if (!Array.isArray(items)) throw validationError({ items: ['Send {"items": [ ... ]}: a list of objects.'] });
    if (items.length > BULK_MAX_ITEMS)
      throw new HttpError(413, 'too_many_items', `Too many items: ${items.length}; a bulk request takes at most ${BULK_MAX_ITEMS}. Split it into chunks of ${BULK_MAX_ITEMS} or fewer.`);
    const results = items.map((item, index) => {
      if (item === null || typeof item !== 'object' || Array.isArray(item))
        return { index, status: 'failed' as const, id: null, errors: { non_field_errors: ['Each item must be a JSON object.'] } };
      try {
        return { index, status: 'created' as const, id: create(ctx, item as Record<string, unknown>).id, errors: null };
      } catch (e) {
        if (!(e instanceof HttpError)) throw e;
        if (e.code === 'duplicate') return { index, status: 'duplicate' as const, id: String(e.extra?.existing_id), errors: e.errors ?? null };
        return { index, status: 'failed' as const, id: null, errors: e.errors ?? { non_field_errors: [e.message] } };
      }
    });
    return ok({
      count: results.length,
      created: results.filter((r) => r.status === 'created').length,
      failed: results.filter((r) => r.status === 'failed').length,
      duplicates: results.filter((r) => r.status === 'duplicate').length,
      results,
    });
  };
}
