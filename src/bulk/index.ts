/**
 * Bulk sheets, host-free: sheet kinds, cell parsing, row validation, the exactly-once push engine,
 * result columns and the log row. Used by `crego push`/`crego template` (src/cli, with the Node file
 * helpers in ./node) and by the task pane (src/excel reads and writes the cells). No Office, no Node
 * imports here.
 */
export * from './kinds';
export { parseAmount, parseBoolean, parseCell, parseDate, parseDateSerial, parseEnum, parseInteger, parseKey, parseText, parseUuid, isBlank, type CellValue, type Parsed } from './cells';
export { locateLayout, normaliseHeader, SheetError, stampText, STAMP_PATTERN, type SheetLayout } from './sheet';
export { checkRow, isBlankRow, stillExample, DuplicateFinder, type RowCheck } from './validate';
export { RESULT_HEADERS, RESULT_WIDTH, readResult, resultToValues, stamp, summaryLine, needsAttention, type ResultValues, type RowResult, type RowStatus } from './results';
export {
  pushSheet, planRows, newBatchId, contentKey, chunkIdempotencyKey, splitLevels, DEFAULT_CHUNK_SIZE, DEFAULT_CONCURRENCY,
  type PushOptions, type PushReport, type PushCounts, type PushProgress, type ResultUpdate, type RowUpdate,
} from './push';
export { findExisting } from './reconcile';
export { LOG_HEADERS, LOG_SHEET_NAME, logRow, csvLine, type LogContext } from './log';
export { exampleRow, templateRows } from './template';
