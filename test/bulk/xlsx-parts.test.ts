/**
 * The package-level pieces of reading and writing .xlsx: relationship targets made relative for
 * exceljs, the caps checked from the zip's directory (a zip bomb is refused before anything is
 * inflated), and the write-back that sets result cells in a sheet's XML and nothing else.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createWriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import yazl from 'yazl';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ResultCellWriter } from '../../src/bulk/node/result-cells';
import { PackageError, READ_LIMITS, relativiseTargets, resolveTarget, XlsxPackage } from '../../src/bulk/node/xlsx-package';
import type { ResultValues } from '../../src/bulk/results';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'crego-xlsx-parts-'));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Run the writer over `xml` fed `size` characters at a time (a tag may be cut anywhere). */
async function patch(xml: string, results: Record<number, ResultValues>, firstColumn: number, size = 7): Promise<string> {
  const chunks: Buffer[] = [];
  for (let i = 0; i < xml.length; i += size) chunks.push(Buffer.from(xml.slice(i, i + size)));
  const out: string[] = [];
  const writer = new ResultCellWriter(new Map(Object.entries(results).map(([r, v]) => [Number(r), v])), firstColumn);
  writer.on('data', (d) => out.push(String(d)));
  await pipeline(Readable.from(chunks), writer);
  return out.join('');
}

const R = (status: string, message = ''): ResultValues => [status, '', message, '', '', ''];

describe('relationship targets', () => {
  it('resolves relative and absolute targets, and makes absolute ones relative (what openpyxl writes, what exceljs reads)', () => {
    expect(resolveTarget('xl/_rels/workbook.xml.rels', 'worksheets/sheet1.xml')).toBe('xl/worksheets/sheet1.xml');
    expect(resolveTarget('xl/worksheets/_rels/sheet1.xml.rels', '../comments1.xml')).toBe('xl/comments1.xml');
    expect(resolveTarget('xl/worksheets/_rels/sheet1.xml.rels', '/xl/comments/comment1.xml')).toBe('xl/comments/comment1.xml');
    const openpyxl = '<Relationships><Relationship Type="t/comments" Target="/xl/comments/comment1.xml" Id="comments"/>' +
      '<Relationship Type="t/hyperlink" Target="/x" TargetMode="External" Id="l"/></Relationships>';
    expect(relativiseTargets('xl/worksheets/_rels/sheet1.xml.rels', openpyxl)).toBe(
      '<Relationships><Relationship Type="t/comments" Target="../comments/comment1.xml" Id="comments"/>' +
        '<Relationship Type="t/hyperlink" Target="/x" TargetMode="External" Id="l"/></Relationships>',
    );
    expect(relativiseTargets('xl/_rels/workbook.xml.rels', '<Relationship Target="/xl/worksheets/sheet1.xml"/>')).toBe('<Relationship Target="worksheets/sheet1.xml"/>');
    expect(relativiseTargets('xl/_rels/workbook.xml.rels', '<Relationship Target="styles.xml"/>')).toBeNull();
  });
});

describe('caps', () => {
  it('refuses a zip bomb from its directory, naming the cap and how to split, before inflating anything', async () => {
    const bomb = join(dir, 'bomb.xlsx');
    const zip = new yazl.ZipFile();
    zip.addBuffer(Buffer.alloc(1024), 'xl/worksheets/sheet1.xml');
    zip.end();
    await pipeline(zip.outputStream, createWriteStream(bomb));
    // The directory says 600 MiB unpacked (a real bomb of that size is in bench/bulk, with its memory figure).
    const bytes = await readFile(bomb);
    const central = bytes.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    bytes.writeUInt32LE(600 << 20, central + 24);
    await writeFile(bomb, bytes);
    const err = await XlsxPackage.open(bomb, 'bomb.xlsx').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PackageError);
    expect((err as Error).message).toBe(
      'bomb.xlsx unpacks to 600 MB; crego push reads workbooks of at most 512 MB unpacked: ' +
        'split the rows into several files of at most 250,000 rows (each with the header row) and push them one after another',
    );
  });

  it('stops a part that inflates past the size its directory declares', async () => {
    const liar = join(dir, 'liar.xlsx');
    const zip = new yazl.ZipFile();
    zip.addBuffer(Buffer.alloc(1 << 20), 'xl/worksheets/sheet1.xml');
    zip.end();
    await pipeline(zip.outputStream, createWriteStream(liar));
    const bytes = await readFile(liar);
    const central = bytes.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    bytes.writeUInt32LE(1000, central + 24); // says 1,000 bytes, holds 1 MiB
    await writeFile(liar, bytes);
    const pkg = await XlsxPackage.open(liar, 'liar.xlsx');
    await expect(pkg.text('xl/worksheets/sheet1.xml')).rejects.toThrow(/too many bytes/);
    pkg.close();
  });

  it('refuses a file that is not a zip in words, with what to do', async () => {
    const fake = join(dir, 'fake.xlsx');
    await writeFile(fake, 'Account,Amount\n');
    await expect(XlsxPackage.open(fake, 'fake.xlsx')).rejects.toThrow(/fake\.xlsx is not an Excel workbook .* save it again as \.xlsx, or export it as CSV UTF-8/);
  });
});

describe('the write-back', () => {
  const sheet = (rows: string) =>
    `<?xml version="1.0"?><worksheet xmlns="main"><dimension ref="A1:C3"/><sheetData>${rows}</sheetData><dataValidations count="1"><dataValidation sqref="A2:A9"/></dataValidations></worksheet>`;

  it('sets the result cells of the given rows, keeps every other byte, widens the dimension', async () => {
    const rows = '<row r="1" spans="1:3"><c r="A1" t="s"><v>0</v></c><c r="H1" s="4"><v>9</v></c></row><row r="2"><c r="A2"><v>1</v></c></row><row r="3"><c r="A3"><v>2</v></c></row>';
    const out = await patch(sheet(rows), { 1: R('Status'), 3: R('posted', 'a < b & "c"') }, 2);
    expect(out).toBe(sheet(
      '<row r="1"><c r="A1" t="s"><v>0</v></c>' +
        '<c r="B1" t="inlineStr"><is><t xml:space="preserve">Status</t></is></c><c r="H1" s="4"><v>9</v></c></row>' +
        '<row r="2"><c r="A2"><v>1</v></c></row>' +
        '<row r="3"><c r="A3"><v>2</v></c><c r="B3" t="inlineStr"><is><t xml:space="preserve">posted</t></is></c>' +
        '<c r="D3" t="inlineStr"><is><t xml:space="preserve">a &lt; b &amp; &quot;c&quot;</t></is></c></row>',
    ).replace('A1:C3', 'A1:G3'));
  });

  it('replaces earlier result cells keeping their style, adds rows the sheet lacks in order, and keeps a namespace prefix', async () => {
    const xml = '<x:worksheet xmlns:x="main"><x:sheetData><x:row r="2"><x:c r="A2"/><x:c r="B2" s="7" t="s"><x:v>3</x:v></x:c><x:c r="C2" t="inlineStr"><x:is><x:t>old</x:t></x:is></x:c></x:row></x:sheetData></x:worksheet>';
    const out = await patch(xml, { 1: R('Status'), 2: R('failed'), 4: R('posted') }, 2, 3);
    expect(out).toBe(
      '<x:worksheet xmlns:x="main"><x:sheetData>' +
        '<x:row r="1"><x:c r="B1" t="inlineStr"><x:is><x:t xml:space="preserve">Status</x:t></x:is></x:c></x:row>' +
        '<x:row r="2"><x:c r="A2"/><x:c r="B2" s="7" t="inlineStr"><x:is><x:t xml:space="preserve">failed</x:t></x:is></x:c></x:row>' +
        '<x:row r="4"><x:c r="B4" t="inlineStr"><x:is><x:t xml:space="preserve">posted</x:t></x:is></x:c></x:row>' +
        '</x:sheetData></x:worksheet>',
    );
  });

  it('writes 200,000 rows of results (no argument list or splice that grows with the rows)', async () => {
    const many: Record<number, ResultValues> = {};
    for (let r = 1; r <= 200_000; r++) many[r] = R('posted');
    const out = await patch(sheet(''), many, 1, 1 << 16);
    expect(out).toContain('<dimension ref="A1:F200000"/>');
    expect(out.match(/<row /g)).toHaveLength(200_000);
  }, 120_000);

  it('writes a formula-like result as text, never a formula', async () => {
    const out = await patch(sheet(''), { 2: R('invalid', '=HYPERLINK("x")') }, 1);
    expect(out).toContain('<c r="C2" t="inlineStr"><is><t xml:space="preserve">=HYPERLINK(&quot;x&quot;)</t></is></c>');
    expect(out).not.toContain('<f>');
  });
});
