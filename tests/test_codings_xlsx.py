"""The streaming xlsx writer of coded segments (openpyxl write-only mode)."""

from __future__ import annotations

from pathlib import Path

from openpyxl import load_workbook

from storage.interop.codings_export import write_codings_xlsx

COLUMNS = ["session", "start_ms", "code", "coded_text", "memo"]


def test_streamed_workbook_reads_back(tmp_path: Path) -> None:
    rows = [
        {"session": "S", "start_ms": i, "code": f"C{i % 3}", "coded_text": f"=text {i}",
         "memo": "a\x01memo"}
        for i in range(30)
    ]  # fmt: skip
    out = tmp_path / "c.xlsx"
    write_codings_xlsx(out, COLUMNS, rows, sheet_per_code=True)
    wb = load_workbook(out)
    assert wb.sheetnames == ["All codings", "C0", "C1", "C2"]
    ws = wb["All codings"]
    assert [c.value for c in ws[1]] == COLUMNS and ws["A1"].font.bold
    assert ws.freeze_panes == "A2"
    assert ws.max_row == 31 and ws["B31"].value == 29
    cell = ws["D2"]
    assert cell.value == "=text 0" and cell.data_type == "s"
    assert cell.alignment.wrap_text and not ws["A2"].alignment.wrap_text
    assert ws["E2"].value == "amemo"  # control characters are not allowed in xlsx
    assert ws.column_dimensions["D"].width == 60 and ws.column_dimensions["A"].width == 16
    assert wb["C1"].max_row == 11
    assert [c.value for c in wb["C1"]["B"]][1:] == list(range(1, 30, 3))


def test_text_that_xml_cannot_hold(tmp_path: Path) -> None:
    from storage.interop.xlsx_stream import MAX_CELL_CHARS, Sheet, column_letter, write_xlsx

    assert [column_letter(n) for n in (1, 26, 27, 52, 703)] == ["A", "Z", "AA", "AZ", "AAA"]
    rows = [["<b>&amp; \"q\" 'x'", "\ufffeok\x07", "x" * (MAX_CELL_CHARS + 10), None, 1.5]]
    out = tmp_path / "t.xlsx"
    write_xlsx(out, [(Sheet("a<b>&'c", [10] * 5, [False] * 5), list("ABCDE"), rows)])
    wb = load_workbook(out)
    ws = wb["a<b>&'c"]
    assert [c.value for c in ws[2]] == ["<b>&amp; \"q\" 'x'", "ok", "x" * MAX_CELL_CHARS, None, 1.5]
