import { describe, expect, it } from 'vitest';
import { lintManifest, pngSize } from '../../src/server/build/manifest-lint';
import { renderManifest } from '../../src/server/build/manifest-render';
import { SOURCE_MANIFEST } from './helpers';

const lint = (xml: string, opts = {}) => lintManifest(xml, opts);

describe('manifest lint', () => {
  it('passes the source manifest', () => {
    expect(lint(SOURCE_MANIFEST)).toEqual([]);
  });

  it('names a runtime resid that differs between <Runtime> and the custom functions <Page>', () => {
    const xml = SOURCE_MANIFEST.replace(/(<Page>\s*<SourceLocation resid=")Taskpane\.Url/, '$1Help.Url');
    expect(lint(xml)).toEqual([expect.stringMatching(/line \d+: runtime resid mismatch: CustomFunctions <Page> uses 'Help\.Url' but <Runtime> uses 'Taskpane\.Url'/)]);
  });

  it('names a <FunctionFile> and a ShowTaskpane action that do not use the runtime resid', () => {
    const xml = SOURCE_MANIFEST.replace('<FunctionFile resid="Taskpane.Url"/>', '<FunctionFile resid="Help.Url"/>').replace(
      /(<Action xsi:type="ShowTaskpane">\s*<SourceLocation resid=")Taskpane\.Url/,
      '$1Help.Url',
    );
    const problems = lint(xml);
    expect(problems).toContainEqual(expect.stringContaining("<FunctionFile> uses 'Help.Url' but <Runtime> uses 'Taskpane.Url'"));
    expect(problems).toContainEqual(expect.stringContaining("the ShowTaskpane action opens 'Help.Url'"));
  });

  it('names a <TaskpaneId> on a ShowTaskpane action of the shared runtime (the source manifest has none)', () => {
    expect(SOURCE_MANIFEST).not.toMatch(/<TaskpaneId/i);
    const xml = SOURCE_MANIFEST.replace(/(<Action xsi:type="ShowTaskpane">)/, '$1\n<TaskpaneId>Crego.Taskpane</TaskpaneId>');
    expect(lint(xml)).toEqual([expect.stringMatching(/line \d+: a ShowTaskpane action has a <TaskpaneId>: with a shared runtime/)]);
  });

  it('names an http URL and the second origin it creates', () => {
    const xml = SOURCE_MANIFEST.replace('DefaultValue="https://localhost:3000/functions.js"', 'DefaultValue="http://localhost:3000/functions.js"');
    expect(lint(xml)).toEqual([
      expect.stringMatching(/resource 'Functions\.Script\.Url' 'http:\/\/localhost:3000\/functions\.js' is not https/),
      expect.stringMatching(/URLs use 2 origins \(https:\/\/localhost:3000, http:\/\/localhost:3000\)/),
    ]);
  });

  it('names a URL on another https origin', () => {
    const xml = SOURCE_MANIFEST.replace('DefaultValue="https://localhost:3000/help.html"/>\n      </bt:Urls>', 'DefaultValue="https://elsewhere.example/help.html"/>\n      </bt:Urls>');
    expect(lint(xml).join('\n')).toContain('https://elsewhere.example');
  });

  it('names an undefined resid, a resid longer than 32 characters and a resid of the wrong kind', () => {
    const long = 'Functions.Script.Url.That.Is.Too.Long';
    const xml = SOURCE_MANIFEST.replace(/Functions\.Script\.Url/g, long)
      .replace('<Namespace resid="Functions.Namespace"/>', '<Namespace resid="Functions.Nmspace"/>')
      .replace('<Label resid="Group.Label"/>', '<Label resid="OpenPane.Tooltip"/>');
    const problems = lint(xml).join('\n');
    expect(problems).toContain(`resid '${long}' on <SourceLocation> is ${long.length} characters; Office allows at most 32`);
    expect(problems).toContain(`resource id '${long}' is ${long.length} characters`);
    expect(problems).toContain("resid 'Functions.Nmspace' on <Namespace> is not defined in <Resources>");
    expect(problems).toContain("resid 'OpenPane.Tooltip' on <Label> must name a ShortString resource, but it is a LongString");
  });

  it('requires lifetime="long", the SharedRuntime requirement and one <Runtime>', () => {
    const xml = SOURCE_MANIFEST.replace(' lifetime="long"', '').replace(/<Set Name="SharedRuntime" MinVersion="1.1"\/>/, '');
    const problems = lint(xml).join('\n');
    expect(problems).toContain('a shared runtime needs lifetime="long"');
    expect(problems).toContain('the SharedRuntime requirement set is missing');
  });

  it('requires the icons', () => {
    const xml = SOURCE_MANIFEST.replace(/\s*<HighResolutionIconUrl[^>]*\/>/, '').replace(/\s*<bt:Image size="80" resid="Icon.80x80"\/>/g, '');
    const problems = lint(xml).join('\n');
    expect(problems).toContain('<HighResolutionIconUrl> is missing');
    expect(problems).toContain('no 80px ribbon icon');
  });

  it('reports malformed XML instead of throwing', () => {
    expect(lint(SOURCE_MANIFEST.replace('</Hosts>', ''))[0]).toMatch(/^manifest is not well-formed XML/);
  });

  it('for a production origin, refuses any leftover localhost', () => {
    const prod = renderManifest(SOURCE_MANIFEST, { origin: 'https://addin.example.com', version: '0.1.0.0' });
    expect(lint(prod, { origin: 'https://addin.example.com' })).toEqual([]);
    const leftover = prod.replace('https://addin.example.com/help.html"/>\n      </bt:Urls>', 'https://localhost:3000/help.html"/>\n      </bt:Urls>');
    const problems = lint(leftover, { origin: 'https://addin.example.com' }).join('\n');
    expect(problems).toContain("'https://localhost:3000/help.html' is not under the add-in origin https://addin.example.com");
    expect(problems).toContain('still mentions localhost');
  });

  it('reads PNG dimensions and refuses other bytes', () => {
    const header = Buffer.from('89504e470d0a1a0a0000000d49484452000000100000002008060000', 'hex');
    expect(pngSize(header)).toEqual({ width: 16, height: 32 });
    expect(pngSize(Buffer.from('GIF89a not a png at all..'))).toBeUndefined();
  });
});
