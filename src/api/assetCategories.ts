/**
 * Which asset-category labels mean a non-performing asset. Crego documents only "Regular"; the
 * sandbox follows RBI's bands (`Regular`, `SMA-0/1/2`, `NPA`). Lenders that split NPA by age use
 * RBI's sub-classes (Substandard, Doubtful 1–3, Loss), so those count as NPA too. This is the one
 * place that decides it (docs/api-assumptions.md, "Asset categories").
 */
const NPA_LABELS = new Set(['npa', 'nonperformingasset', 'substandard', 'doubtful', 'doubtful1', 'doubtful2', 'doubtful3', 'd1', 'd2', 'd3', 'loss']);

/** True for a label of a non-performing asset: `NPA`, `Sub-standard`, `Doubtful-2`, `Loss`… (any case, spacing). */
export function isNpaCategory(label: unknown): boolean {
  if (typeof label !== 'string') return false;
  return NPA_LABELS.has(label.toLowerCase().replace(/[^a-z0-9]/g, ''));
}
