/**
 * The workbook's date system for the CREGO functions. A cell must never wait on `Excel.run` during
 * a calculation (finding 4 of the Excel audit), so the pane reads it (when shown, and before each
 * Refresh, the ribbon's too) and hands it to the functions runtime they share.
 */
import type { DateSystem } from '../api/dates';
import { readDateSystem } from '../excel/dateSystem';
import { recalc } from '../excel/recalc';
import { excelRun } from '../excel/run';
import { runtime } from './session';

/** Read the date system and hand it over; true when the cells' dates changed with it. */
export async function handDateSystem(): Promise<{ system: DateSystem | null; changed: boolean }> {
  const system = await excelRun(readDateSystem);
  return { system, changed: runtime()?.setDateSystem(system) ?? false };
}

/** On the pane being shown: hand the date system over and, if the cells used another, recalculate them. */
export async function syncDateSystem(): Promise<void> {
  const { changed } = await handDateSystem();
  if (changed) await recalc('workbook');
}
