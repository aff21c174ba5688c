/**
 * The browser carrier: the platform `fetch`. No Node imports here: this file ships in the
 * task pane / functions bundle. Works in Node 20 too (global fetch), which is how it is tested.
 */
import { toTransportError, type Transport, type WireRequest, type WireResponse } from './transport';

export function fetchTransport(fetchImpl: typeof fetch = globalThis.fetch.bind(globalThis)): Transport {
  return {
    carrier: 'fetch',
    async send(req: WireRequest): Promise<WireResponse> {
      try {
        const res = await fetchImpl(req.url, {
          method: req.method,
          headers: req.headers,
          body: req.body,
          signal: req.signal,
          // The bearer token travels in a header; never send cookies along with it.
          credentials: 'omit',
          redirect: 'follow',
        });
        const text = await res.text();
        return { status: res.status, header: (name) => res.headers.get(name), text };
      } catch (err) {
        throw toTransportError(err);
      }
    },
    async close() {},
  };
}
