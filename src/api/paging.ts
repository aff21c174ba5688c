/**
 * Reading a `page` endpoint whole: `pages` walks page by page (what a person would page through),
 * `listAll` reads page 1 to learn the count and then the rest side by side (under the client's
 * concurrency limit). Parameter names and sizes come from the resolved endpoint, so a profile that
 * renames `page`/`page_size` changes them here too.
 */
import { CregoError, type CallOptions, type PageOptions } from './contract';
import type { EndpointResolver, ResolvedEndpoint } from './profile';

/**
 * Page size `listAll` asks for when the caller names none: it wants everything, so fewer,
 * larger pages (the map's default of 15 would mean 7× the requests). A server with a lower
 * maximum serves less per page and `listAll` follows what page 1 actually held.
 */
export const LIST_ALL_PAGE_SIZE = 100;
/** Marker: use the map's default page size (`pages()` walks what a person would page through). */
const DEFAULT_PAGE_SIZE = Symbol('map default page size');

interface PageAnswer<T> {
  count?: unknown;
  results?: T[];
}

export class Pager {
  constructor(
    private readonly resolver: EndpointResolver,
    /** One call of the client (cache, coalescing and retries included). */
    private readonly call: (key: string, options: CallOptions) => Promise<unknown>,
  ) {}

  pages<T>(key: string, options: PageOptions = {}): AsyncIterable<T[]> {
    const ep = this.pagedEndpoint(key);
    return this.walk<T>(key, ep, options, 1, this.pageSize(ep, options, DEFAULT_PAGE_SIZE), 0);
  }

  /** Page 1 first (to learn the count), then the remaining pages side by side. */
  async listAll<T>(key: string, options: PageOptions = {}): Promise<T[]> {
    const ep = this.pagedEndpoint(key);
    const size = this.pageSize(ep, options, LIST_ALL_PAGE_SIZE);
    const first = (await this.call(key, this.pageOptions(ep, options, 1, size))) as PageAnswer<T> | null;
    const results = Array.isArray(first?.results) ? [...first.results] : [];
    const count = typeof first?.count === 'number' ? first.count : undefined;
    // Page 1 is full unless it is the only page, so its length is the page size the server really
    // serves: a server that caps the size but reports the size asked for would make us skip rows.
    const served = results.length;
    if (count === undefined || served === 0) {
      // No count: walk sequentially until a short page.
      if (results.length < size) return results;
      for await (const page of this.walk<T>(key, ep, options, 2, size, results.length)) results.push(...page);
      return results;
    }
    const pageCount = Math.ceil(count / served);
    const rest = await Promise.all(
      Array.from({ length: Math.max(0, pageCount - 1) }, (_, i) => this.call(key, this.pageOptions(ep, options, i + 2, served)) as Promise<PageAnswer<T> | null>),
    );
    for (const r of rest) if (Array.isArray(r?.results)) results.push(...r.results);
    return results;
  }

  private pagedEndpoint(key: string): ResolvedEndpoint {
    const ep = this.resolver.get(key);
    if (ep.answer !== 'page') throw new CregoError({ kind: 'config', endpoint: key, message: `${ep.name} does not answer with pages` });
    return ep;
  }

  /** The caller's page size, else `fallback` (or the map's default when it is DEFAULT_PAGE_SIZE), capped by the map. */
  private pageSize(ep: ResolvedEndpoint, options: PageOptions, fallback: number | typeof DEFAULT_PAGE_SIZE): number {
    const wanted = options.pageSize ?? (fallback === DEFAULT_PAGE_SIZE ? ep.pagination.defaultPageSize : fallback);
    return Math.max(1, Math.min(ep.pagination.maxPageSize, Math.floor(wanted)));
  }

  private pageOptions(ep: ResolvedEndpoint, options: PageOptions, page: number, size: number): CallOptions {
    return { ...options, query: { ...options.query, [ep.pagination.page]: page, [ep.pagination.pageSize]: size } };
  }

  /**
   * Pages one by one from `from`, `seen` results already read. Stops at `count` when the answer
   * has one, else at the first short page.
   */
  private async *walk<T>(key: string, ep: ResolvedEndpoint, options: PageOptions, from: number, size: number, seen: number) {
    for (let page = from; page <= 1_000_000; page++) {
      const answer = (await this.call(key, this.pageOptions(ep, options, page, size))) as PageAnswer<T> | null;
      const results = Array.isArray(answer?.results) ? answer.results : [];
      seen += results.length;
      if (results.length) yield results;
      const count = typeof answer?.count === 'number' ? answer.count : undefined;
      if (results.length === 0 || (count !== undefined ? seen >= count : results.length < size)) return;
    }
  }
}
