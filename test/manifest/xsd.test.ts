import { describe, expect, it } from 'vitest';
import { findSchemaDir, validateManifestXsd } from '../../src/server/build/manifest-xsd';
import { renderManifest } from '../../src/server/build/manifest-render';
import { SOURCE_MANIFEST } from './helpers';

const schemaDir = findSchemaDir();

describe('manifest XSD validation (xmllint-wasm, ../shared/office-schemas)', () => {
  it('finds the schema set beside the repository', () => {
    expect(schemaDir, 'shared/office-schemas must be beside the clone (or set OFFICE_SCHEMAS_DIR)').toBeTruthy();
  });

  it('accepts manifest.xml and the production rendering of it', async () => {
    expect(await validateManifestXsd(SOURCE_MANIFEST, schemaDir!)).toEqual({ valid: true, errors: [] });
    const prod = renderManifest(SOURCE_MANIFEST, { origin: 'https://addin.example.com', version: '2.3.4.0' });
    expect(await validateManifestXsd(prod, schemaDir!)).toEqual({ valid: true, errors: [] });
  });

  it('rejects elements in the wrong order, naming the element and the line', async () => {
    const swapped = SOURCE_MANIFEST.replace(/(<Id>[^<]*<\/Id>)(\s*)(<Version>[^<]*<\/Version>)/, '$3$2$1');
    expect(swapped).not.toBe(SOURCE_MANIFEST);
    const result = await validateManifestXsd(swapped, schemaDir!);
    expect(result.valid).toBe(false);
    expect(result.errors[0]).toMatch(/^line \d+: .*Element 'Version': This element is not expected\. Expected is \( Id \)/);
  });

  it('rejects <Runtimes> placed after <AllFormFactors>', async () => {
    const runtimes = SOURCE_MANIFEST.match(/\s*<Runtimes>[\s\S]*?<\/Runtimes>/)![0];
    const moved = SOURCE_MANIFEST.replace(runtimes, '').replace('</AllFormFactors>', `</AllFormFactors>${runtimes}`);
    const result = await validateManifestXsd(moved, schemaDir!);
    expect(result.valid).toBe(false);
    expect(result.errors.join('\n')).toContain("Element 'Runtimes': This element is not expected");
  });

  it('rejects an unknown lifetime and an unknown element', async () => {
    const lifetime = await validateManifestXsd(SOURCE_MANIFEST.replace('lifetime="long"', 'lifetime="forever"'), schemaDir!);
    expect(lifetime.errors.join('\n')).toMatch(/lifetime.*forever/);
    const unknown = await validateManifestXsd(SOURCE_MANIFEST.replace('<Runtimes>', '<SharedRuntime/><Runtimes>'), schemaDir!);
    expect(unknown.errors.join('\n')).toContain("Element 'SharedRuntime': This element is not expected");
  });
});
