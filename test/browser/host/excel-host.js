/*
 * THE FAKE EXCEL HOST, in the page of a browser test, after Microsoft's office.js (excel-web-16.00.js) and
 * office-double.js. The real client serialises every batch and POSTs it to {url}/ProcessQuery; the test's
 * route hands the JSON to window.__excelHost.process, which executes each action against the sheet model
 * the double keeps (through the double's objects) and answers in the format the client parses
 * ({Results:[{ActionId, Value}], Error:{Code, Message, ActionIndex}}, collections as {_Items:[…]}, scalar
 * properties PascalCase, as excel-web-16.00.debug.js reads them).
 *
 * It refuses what Excel refuses:
 * - a member above the API level the test declared (window.__excelHostConfig.excelApi, 1.x → x), or not in
 *   the release typings at all (a preview member such as Workbook.use1904DateSystem): ApiNotFound. The
 *   member → set table is generated from @types/office-js (test/browser/host/api-sets.ts);
 * - data-validation texts over Excel's limits (title 32, prompt 255, error message 225, list source 255);
 * - any batch while the user edits a cell, unless it was sent with delayForCellEdit (request flag 64):
 *   then it waits until the edit ends, as Excel does;
 * (the 5 MB request limit is checked by the route, on the bytes that arrived).
 */
(function () {
  'use strict';
  const config = window.__excelHostConfig;
  const sets = config.apiSets;
  const internals = window.__officeDouble;
  const DELAY_FOR_CELL_EDIT = 64;
  const LIMITS = { title: 32, prompt: 255, error: 225, source: 255 };

  function hostError(code, message) { const e = new Error(message); e.code = code; return e; }
  const lowerFirst = (s) => s.charAt(0).toLowerCase() + s.slice(1);
  const upperFirst = (s) => s.charAt(0).toUpperCase() + s.slice(1);

  /** The member's entry in the generated table, or a refusal when the declared host does not have it. */
  function member(cls, name, mode) {
    if (!cls) return null;
    const table = sets[cls];
    if (!table) return null;
    const info = table[name];
    if (!info) throw hostError('ApiNotFound', 'Excel.' + cls + '.' + name + ' is not in the released Excel API (not in @types/office-js), so no production Excel has it');
    const need = mode === 'write' ? info.write : info.read;
    if (typeof need !== 'number') {
      throw hostError('ApiNotFound', 'Excel.' + cls + '.' + name + ' needs ' + need + ', which this host (ExcelApi 1.' + config.excelApi + ') does not have');
    }
    if (need > config.excelApi) {
      throw hostError('ApiNotFound', 'Excel.' + cls + '.' + name + ' needs ExcelApi 1.' + need + '; this host has ExcelApi 1.' + config.excelApi);
    }
    return info;
  }

  function refuseLongText(cls, name, value) {
    if (cls !== 'DataValidation' || !value || typeof value !== 'object') return;
    const over = (what, text, max) => {
      if (typeof text === 'string' && text.length > max) {
        throw hostError('InvalidArgument', 'The argument is invalid or missing or has an incorrect format: data validation ' + what + ' has ' + text.length + ' characters (Excel allows ' + max + ')');
      }
    };
    if (name === 'errorAlert') { over('error title', value.title, LIMITS.title); over('error message', value.message, LIMITS.error); }
    if (name === 'prompt') { over('prompt title', value.title, LIMITS.title); over('prompt message', value.message, LIMITS.prompt); }
    if (name === 'rule' && value.list && typeof value.list.source === 'string') over('list source', value.list.source, LIMITS.source);
  }

  function argsOf(info, resolve) {
    const args = (info.ArgumentInfo && info.ArgumentInfo.Arguments) ? info.ArgumentInfo.Arguments.slice() : [];
    const refs = info.ArgumentInfo && info.ArgumentInfo.ReferencedObjectPathIds;
    if (refs) refs.forEach((id, i) => { if (id) args[i] = resolve(id).obj; });
    return args;
  }

  function isNull(obj) { return obj === null || obj === undefined || obj.isNullObject === true; }
  /** What Instantiate answers: null for a null object; an id where the object has one (the client re-points its path at it). */
  function identity(obj) {
    if (isNull(obj)) return null;
    const out = {};
    try { if (obj.id !== undefined) out.Id = obj.id; } catch (e) { /* no id */ }
    return out;
  }

  /** A value as the client expects it in a query answer. */
  function plain(v) { return v === undefined ? null : JSON.parse(JSON.stringify(v)); }

  /** The scalar properties of a class the double's object has (a load() without names). */
  function scalarNames(cls, obj) {
    const table = sets[cls] || {};
    return Object.keys(table).filter((k) => table[k].kind === 'property' && !table[k].returns && typeof table[k].read === 'number' && table[k].read <= config.excelApi && k in obj);
  }

  /** Query answer for one object: each selected path ("format/fill/color") nested under PascalCase keys. */
  function serialise(obj, cls, select) {
    if (isNull(obj)) return null;
    const out = identity(obj) || {};
    const paths = select && select.length ? select : scalarNames(cls, obj);
    for (const path of paths) {
      const parts = path.split('/');
      let o = obj, c = cls, target = out;
      for (let i = 0; i < parts.length; i++) {
        const name = parts[i];
        if (name === 'isNullObject') break;
        const info = member(c, name, 'read');
        const key = upperFirst(name);
        if (i === parts.length - 1) {
          let value;
          try { value = o[name]; } catch (e) { throw e; }
          if (value === undefined) throw hostError('GeneralException', 'The test host does not model Excel.' + c + '.' + name);
          target[key] = plain(value);
        } else {
          o = o[name];
          c = info && info.returns;
          if (isNull(o)) { target[key] = null; break; }
          target = target[key] = target[key] || {};
        }
      }
    }
    return out;
  }

  /**
   * The class of a collection's items: what getItem (or getItemAt: RangeCollection, RangeAreasCollection
   * have no getItem) returns, else the class the collection's name is the plural of.
   */
  function itemClass(cls) {
    if (!cls || !/Collection$/.test(cls) || !sets[cls]) return null;
    const t = sets[cls];
    const byMethod = (t.getItem && t.getItem.returns) || (t.getItemAt && t.getItemAt.returns);
    if (byMethod) return byMethod;
    const singular = cls.replace(/Collection$/, '');
    return sets[singular] ? singular : null;
  }

  function query(obj, cls, q) {
    if (isNull(obj)) return null;
    const select = q && q.Select ? q.Select : null;
    const itemCls = itemClass(cls);
    if (itemCls) {
      // items/… selections arrive without the prefix: they apply to each item.
      let items = obj.items;
      if (items === undefined) throw hostError('GeneralException', 'The test host does not model Excel.' + cls + '.items');
      if (q && q.Skip) items = items.slice(q.Skip);
      if (q && q.Top >= 0 && q.Top !== undefined) items = items.slice(0, q.Top);
      return { _Items: items.map((item) => serialise(item, itemCls, select)) };
    }
    return serialise(obj, cls, select);
  }

  function call(obj, cls, name, args) {
    const js = lowerFirst(name);
    if (js.startsWith('_')) return { obj: null, cls: null }; // the client's own bookkeeping (_KeepReference, …)
    const info = member(cls, js, 'read');
    if (typeof obj[js] !== 'function') throw hostError('GeneralException', 'The test host does not model Excel.' + cls + '.' + js + '()');
    return { obj: obj[js](...args), cls: info ? info.returns : null };
  }

  const host = {
    /** The user starts typing in a cell (F2): batches fail, or wait when sent with delayForCellEdit. */
    enterCellEdit() { window.__workbook.setCellEdit(true); },
    exitCellEdit() { window.__workbook.setCellEdit(false); },
    requests: 0,
    /** Batches held right now until the user's cell edit ends (sent with delayForCellEdit). */
    held: 0,
    /** Every action the host refused ({code, message, action}), for a test to read. */
    refusals: [],
    async process(body, flags) {
      host.requests++;
      internals.recordRun(flags & DELAY_FOR_CELL_EDIT ? { delayForCellEdit: true } : null);
      while (internals.cellEdit()) {
        if (!(flags & DELAY_FOR_CELL_EDIT)) {
          return { Error: { Code: 'InvalidOperationInCellEditMode', HttpStatusCode: 400, Message: 'Excel is in cell-editing mode. Please exit the edit mode by pressing ENTER or TAB or selecting another cell, and then try again.' } };
        }
        host.held++;
        try { await new Promise((r) => setTimeout(r, 50)); } finally { host.held--; } // Excel holds the batch until the edit ends
      }
      const paths = body.ObjectPaths || {};
      const memo = new Map();
      function resolve(id) {
        if (memo.has(id)) return memo.get(id);
        const p = paths[id];
        if (!p) throw hostError('InvalidObjectPath', 'Unknown object path ' + id);
        let r;
        switch (p.ObjectPathType) {
          case 1: r = { obj: internals.workbook, cls: 'Workbook' }; break;
          case 4: { // property
            const parent = resolve(p.ParentObjectPathId);
            if (isNull(parent.obj)) { r = { obj: null, cls: null }; break; }
            const js = lowerFirst(p.Name);
            const info = member(parent.cls, js, 'read');
            const value = parent.obj[js];
            if (value === undefined) throw hostError('GeneralException', 'The test host does not model Excel.' + parent.cls + '.' + js);
            r = { obj: value, cls: info ? info.returns : null };
            break;
          }
          case 3: { // method returning an object
            const parent = resolve(p.ParentObjectPathId);
            if (isNull(parent.obj)) { r = { obj: null, cls: null }; break; }
            r = call(parent.obj, parent.cls, p.Name, argsOf(p, resolve));
            break;
          }
          case 5: { // indexer: collection.getItem(key), a key being a name or an id
            const parent = resolve(p.ParentObjectPathId);
            const key = p.ArgumentInfo.Arguments[0];
            const info = member(parent.cls, 'getItem', 'read');
            if (typeof parent.obj.getItem !== 'function') throw hostError('GeneralException', 'The test host does not model Excel.' + parent.cls + '.getItem()');
            r = { obj: parent.obj.getItem(key), cls: info ? info.returns : null };
            break;
          }
          case 7: r = { obj: null, cls: null }; break;
          default: throw hostError('GeneralException', 'The test host does not model object path type ' + p.ObjectPathType);
        }
        memo.set(id, r);
        return r;
      }

      const results = [];
      const actions = body.Actions || [];
      for (let i = 0; i < actions.length; i++) {
        const a = actions[i];
        try {
          switch (a.ActionType) {
            case 1: results.push({ ActionId: a.Id, Value: identity(resolve(a.ObjectPathId).obj) }); break;
            case 2: case 7: { const t = resolve(a.ObjectPathId); results.push({ ActionId: a.Id, Value: query(t.obj, t.cls, a.QueryInfo) }); break; }
            case 3: {
              const t = resolve(a.ObjectPathId);
              if (a.Name && a.Name.startsWith('_')) { results.push({ ActionId: a.Id, Value: null }); break; } // the client's bookkeeping
              if (isNull(t.obj)) throw hostError('InvalidArgument', 'The object is a null object');
              let value = call(t.obj, t.cls, a.Name, argsOf(a, resolve)).obj;
              if (value && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length === 1 && 'value' in value) value = value.value;
              results.push({ ActionId: a.Id, Value: value === undefined ? null : plain(value) });
              break;
            }
            case 4: {
              const t = resolve(a.ObjectPathId);
              if (isNull(t.obj)) throw hostError('InvalidArgument', 'The object is a null object');
              const js = lowerFirst(a.Name);
              member(t.cls, js, 'write');
              const value = a.ArgumentInfo.Arguments[0];
              refuseLongText(t.cls, js, value);
              t.obj[js] = value;
              break;
            }
            default: break; // trace and the like: nothing to do
          }
        } catch (e) {
          await internals.afterBatch();
          const code = (e && e.code) || 'GeneralException';
          host.refusals.push({ code, message: (e && e.message) || code, action: a.Name || '', type: a.ActionType });
          return { Results: results, Error: { Code: code, Message: (e && e.message) || code, HttpStatusCode: 400, ActionIndex: i, Location: a.Name || '' } };
        }
      }
      await internals.afterBatch();
      return { Results: results };
    },
  };
  window.__excelHost = host;
})();
