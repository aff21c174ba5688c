import { SaxesParser } from 'saxes';

/** A parsed XML element: local name, namespace URI, attributes by qualified name, children, text, line. */
export interface XmlElement {
  name: string;
  ns: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  text: string;
  line: number;
  parent?: XmlElement;
}

/** Parses a document into a small element tree (namespace-aware). Throws on malformed XML with the line. */
export function parseXml(text: string): XmlElement {
  const parser = new SaxesParser({ xmlns: true, position: true });
  const root: XmlElement = { name: '#document', ns: '', attrs: {}, children: [], text: '', line: 0 };
  const stack: XmlElement[] = [root];
  let failure: Error | undefined;
  parser.on('error', (err) => {
    failure ??= err;
  });
  parser.on('opentag', (tag) => {
    const attrs: Record<string, string> = {};
    for (const [qname, attr] of Object.entries(tag.attributes)) attrs[qname] = typeof attr === 'string' ? attr : attr.value;
    const parent = stack[stack.length - 1]!;
    const el: XmlElement = { name: tag.local ?? tag.name, ns: tag.uri ?? '', attrs, children: [], text: '', line: parser.line, parent };
    parent.children.push(el);
    stack.push(el);
  });
  parser.on('text', (t) => {
    stack[stack.length - 1]!.text += t;
  });
  parser.on('closetag', () => {
    stack.pop();
  });
  parser.write(text).close();
  if (failure) throw new Error(`manifest is not well-formed XML: ${failure.message}`);
  return root;
}

/** Every element below `el` (depth first) whose local name is `name`. */
export function findAll(el: XmlElement, name: string): XmlElement[] {
  const out: XmlElement[] = [];
  const walk = (e: XmlElement): void => {
    for (const c of e.children) {
      if (c.name === name) out.push(c);
      walk(c);
    }
  };
  walk(el);
  return out;
}

export function child(el: XmlElement | undefined, name: string): XmlElement | undefined {
  return el?.children.find((c) => c.name === name);
}
