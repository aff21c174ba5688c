"""openpyxl, driven by the interop tests (test/interop/*.test.ts) as a person's Python script would.

  inspect FILE [ROWS] [COLS]  -> JSON: per sheet its title, state, frozen cell, data validations, notes,
                                 merged ranges, print setup and the first ROWS x COLS cells (value, format, bold)
  fill FILE OUT SPEC.json     -> open FILE, set cells / notes / bold / merges / extra sheets as SPEC says, save as OUT

Values in SPEC: numbers, text, booleans, null, or "date:YYYY-MM-DD" for a date cell.
"""
import datetime
import json
import sys

import openpyxl
from openpyxl.comments import Comment
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter


def plain(v):
    if isinstance(v, (datetime.datetime, datetime.date)):
        return "date:" + v.strftime("%Y-%m-%d")
    return v


def value(v):
    if isinstance(v, str) and v.startswith("date:"):
        return datetime.datetime.strptime(v[5:], "%Y-%m-%d")
    return v


def column_formats(ws):
    """Number formats of whole columns; openpyxl keeps one entry per run of alike columns (min..max)."""
    out = {}
    for d in ws.column_dimensions.values():
        if d.number_format == "General" or not d.min:
            continue
        for c in range(d.min, (d.max or d.min) + 1):
            out[get_column_letter(c)] = d.number_format
    return out


def inspect(path, rows=8, cols=20):
    wb = openpyxl.load_workbook(path)
    out = {"sheets": []}
    for ws in wb.worksheets:
        cells = {}
        for row in ws.iter_rows(min_row=1, max_row=rows, max_col=cols):
            for c in row:
                if c.value is None and not c.font.b:
                    continue
                cells[c.coordinate] = {"value": plain(c.value), "format": c.number_format, "bold": bool(c.font.b), "italic": bool(c.font.i)}
        out["sheets"].append({
            "title": ws.title,
            "state": ws.sheet_state,
            "freeze": ws.freeze_panes,
            "validations": [
                {"sqref": str(dv.sqref), "type": dv.type, "operator": dv.operator, "formula1": dv.formula1, "formula2": dv.formula2,
                 "errorStyle": dv.errorStyle, "errorTitle": dv.errorTitle, "error": dv.error, "promptTitle": dv.promptTitle, "prompt": dv.prompt}
                for dv in ws.data_validations.dataValidation
            ],
            "notes": {c.coordinate: c.comment.text for row in ws.iter_rows() for c in row if c.comment},
            "merged": sorted(str(r) for r in ws.merged_cells.ranges),
            "print": {"orientation": ws.page_setup.orientation, "fitToWidth": ws.page_setup.fitToWidth,
                      "fitToHeight": ws.page_setup.fitToHeight, "fitToPage": bool(ws.sheet_properties.pageSetUpPr and ws.sheet_properties.pageSetUpPr.fitToPage)},
            "maxRow": ws.max_row,
            "columnFormats": column_formats(ws),
            "cells": cells,
        })
    return out


def fill(path, out, spec):
    wb = openpyxl.load_workbook(path)
    ws = wb[spec["sheet"]] if spec.get("sheet") else wb.active
    if spec.get("rename"):
        ws.title = spec["rename"]
    for r, vals in spec.get("rows", {}).items():
        for i, v in enumerate(vals):
            if v is not None:
                ws.cell(row=int(r), column=i + 1, value=value(v))
    for coord, v in spec.get("cells", {}).items():
        ws[coord] = value(v)
    for coord, text in spec.get("notes", {}).items():
        ws[coord].comment = Comment(text, "Ops")
    for coord in spec.get("bold", []):
        ws[coord].font = Font(bold=True)
    for rng in spec.get("merges", []):
        ws.merge_cells(rng)
    for name, cells in spec.get("sheets", {}).items():
        extra = wb.create_sheet(name)
        for coord, v in cells.items():
            extra[coord] = value(v)
    wb.save(out)


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "inspect":
        print(json.dumps(inspect(sys.argv[2], *(int(a) for a in sys.argv[3:5]))))
    elif cmd == "fill":
        with open(sys.argv[4]) as f:
            fill(sys.argv[2], sys.argv[3], json.load(f))
    else:
        sys.exit("unknown command " + cmd)
