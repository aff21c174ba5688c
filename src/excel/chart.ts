/** Charts over a block of cells. */
import { blockAddress } from './address';
import type { Ctx } from './run';

export interface ChartSpec {
  sheet: string;
  /** Source block, including its header row and label column. */
  source: { row: number; col: number; rows: number; cols: number };
  title: string;
  /** Where the chart sits: top-left and bottom-right cells (A1). */
  from: string;
  to: string;
  /** `Line` for a figure over time (the dashboard's PAR 30 by month-end). */
  type?: 'ColumnClustered' | 'BarClustered' | 'Pie' | 'Line';
}

/** A chart whose series are the source's columns (one bar per row label). */
export async function addChart(ctx: Ctx, spec: ChartSpec): Promise<{ name: string }> {
  const sheet = ctx.workbook.worksheets.getItem(spec.sheet);
  const s = spec.source;
  const range = sheet.getRange(blockAddress(s.row, s.col, s.rows, s.cols));
  const chart = sheet.charts.add(spec.type ?? 'ColumnClustered', range, 'Columns');
  chart.title.text = spec.title;
  chart.legend.visible = false;
  chart.setPosition(spec.from, spec.to);
  chart.load('name');
  await ctx.sync();
  return { name: chart.name };
}
