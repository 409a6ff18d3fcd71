"""A lead and two coders, two rounds, through the command line, against a model kept here.

The lead makes a codebook of six codes (two nested) from a CSV, imports three Russian/Kazakh
transcripts (.txt and .vtt, no audio) and sends each coder a bundle. Each codes whole segments
and words (some the same, some not), writes coding memos; yerlan also rewrites a segment that
aigul coded words of and renames a code (`codes --rename`). The lead merges both; the coders
take the merged project, code more, yerlan removes one of his codings (`uncode`); the lead
merges again (and the first round's bundles once more). Checked against what the coders did,
not the code under test: every coding is at the lead once, with its words (after the text
edit too), the renamed code is one code, the removed coding stays removed (also in a coder's
copy that takes the lead's bundle), and `fieldscribe agreement` prints per code and overall
the percent agreement, Cohen's kappa and span overlap computed here by hand from the coders'
codings; its `-o` table holds them.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from storage import Project
from tests.hardening_support import run_cli
from tests.teamwork_helpers import dump

CODEBOOK = """path,description
Доверие,Trust in institutions
Доверие/Акимат,Trust in the local akimat
Госуслуги,Public services
Госуслуги/Очереди,Queues for services
Коррупция,Bribes and informal payments
Тіл,Language choice
"""
FG1 = """[00:00:01] Модератор: Добрый день, расскажите, как вы получаете государственные услуги.
[00:00:06] Айгерим: Я обычно иду в ЦОН, но там всегда огромные очереди.
[00:00:12] Болат: Мен электрондық үкіметті пайдаланамын, бұл өте ыңғайлы.
[00:00:18] Айгерим: Акимату я не доверяю, они обещают и ничего не делают.
[00:00:25] Болат: Кейде пара беруге тура келеді, әйтпесе құжат ұзақ жатады.
[00:00:31] Модератор: А на каком языке вам удобнее заполнять формы?
[00:00:36] Айгерим: Мне удобнее на русском, но мама пишет на казахском.
"""
INT2 = """WEBVTT

00:00:01.000 --> 00:00:05.000
Интервьюер: Сіз әкімдікке сенесіз бе?

00:00:05.500 --> 00:00:11.000
Респондент: Жоқ, әкімдікке сенбеймін, олар халықты тыңдамайды.

00:00:11.500 --> 00:00:17.000
Респондент: В поликлинике очередь с утра, талон не достать.

00:00:17.500 --> 00:00:23.000
Респондент: Взятку врачу давать не хочу, но иначе не примут.
"""
FG3 = """[00:00:02] Модератор: Что вы думаете о сайте egov.kz?
[00:00:07] Данияр: Сайт удобный, справку получил за пять минут.
[00:00:13] Гүлнар: Маған қазақ тіліндегі нұсқасы ұнайды, бірақ қателер көп.
[00:00:20] Данияр: Местной власти я доверяю больше, чем раньше.
[00:00:26] Гүлнар: Кезекте үш сағат тұрдым, бұл дұрыс емес.
"""
#: (segment "session.row", code path, coded words or None for the whole segment, memo)
Action = tuple[str, str, str | None, str | None]
ROUND_1: dict[str, list[Action]] = {
    "aigul": [
        ("fg1.1", "Госуслуги/Очереди", None, None),
        ("fg1.3", "Доверие/Акимат", "Акимату я не доверяю", None),
        ("fg1.4", "Коррупция", None, "пара = взятка"),
        ("fg1.6", "Тіл", "на русском", None),
        ("int2.1", "Доверие/Акимат", None, None),
        ("int2.2", "Госуслуги/Очереди", "очередь с утра", None),
        ("int2.3", "Коррупция", "Взятку врачу", None),
        ("fg3.2", "Тіл", None, None),
    ],
    "yerlan": [
        ("fg1.1", "Госуслуги/Очереди", "огромные очереди", None),
        ("fg1.2", "Госуслуги", None, None),
        ("fg1.3", "Доверие/Акимат", None, None),
        ("fg1.4", "Коррупция", "пара беруге", None),
        ("fg1.6", "Тіл", None, None),
        ("int2.1", "Доверие", "сенбеймін", "недоверие к әкімдік"),
        ("int2.3", "Коррупция", None, None),
        ("fg3.1", "Госуслуги", None, None),
        ("fg3.4", "Госуслуги/Очереди", "Кезекте үш сағат тұрдым", None),
        ("fg3.3", "Доверие", None, None),  # removed in round 2
    ],
}
ROUND_2: dict[str, list[Action]] = {
    "aigul": [
        ("fg3.4", "Госуслуги/Очереди", None, None),
        ("fg3.3", "Доверие/Акимат", "Местной власти я доверяю", None),
        ("fg1.2", "Госуслуги", None, "egov удобен"),
    ],
    "yerlan": [
        ("fg3.3", "Доверие/Акимат", None, None),
        ("int2.2", "Госуслуги/Очереди", None, None),
    ],
}
EDITED = "Честно говоря, Акимату я не доверяю, они только обещают и ничего не делают."
RENAMED = ("Тіл", "Язык (тіл)")
REMOVED = ("yerlan", "fg3.3", "Доверие", None)


def _kappa(pairs: list[tuple[int, int]]) -> float | None:
    """Cohen's kappa of two coders' 0/1 values, from the textbook formula."""
    n = len(pairs)
    po = sum(a == b for a, b in pairs) / n
    pa = sum(a for a, _ in pairs) / n
    pb = sum(b for _, b in pairs) / n
    pe = pa * pb + (1 - pa) * (1 - pb)
    return None if pe == 1 else (po - pe) / (1 - pe)


def _close(value: float | None, expected: float | None) -> bool:
    if expected is None:
        return value is None
    return value is not None and abs(value - expected) < 1e-9


def test_two_coders_two_rounds_against_the_model(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def cli(*argv: str | Path) -> str:
        code, out, err = run_cli(capsys, *argv)
        assert code == 0, err
        return out

    lead, copies = (
        tmp_path / "lead.fieldscribe",
        {name: tmp_path / f"{name}.fieldscribe" for name in ("aigul", "yerlan")},
    )
    files = {"codebook.csv": CODEBOOK, "fg1.txt": FG1, "int2.vtt": INT2, "fg3.txt": FG3}
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    cli("new", lead, "--name", "Госуслуги", "--coder", "dana", "--languages", "ru,kk")
    cli("codebook", "import", lead, tmp_path / "codebook.csv")
    for name in ("fg1.txt", "int2.vtt", "fg3.txt"):
        cli("import-transcript", lead, "--new-session", name.split(".")[0], tmp_path / name)
    segs: dict[str, str] = {}
    texts: dict[str, str] = {}
    for title in ("fg1", "int2", "fg3"):
        for row, seg in enumerate(json.loads(cli("segments", lead, "--session", title, "--json"))):
            segs[f"{title}.{row}"], texts[seg["id"]] = seg["id"], seg["text"]
    assert len(segs) == 16
    cli("bundle", "export", lead, "-o", tmp_path / "lead-1.fsbundle")
    for name, folder in copies.items():
        cli("new", folder, "--from-bundle", tmp_path / "lead-1.fsbundle", "--coder", name)

    #: the model: per coder, (segment id, code path, words or None) -> memo
    model: dict[str, dict[tuple[str, str, str | None], str | None]] = {"aigul": {}, "yerlan": {}}

    def code(name: str, actions: list[Action]) -> None:
        for key, path, words, memo in actions:
            seg = segs[key]
            extra: list[str] = []
            if words is not None:
                start = texts[seg].index(words)
                extra = ["--span", f"{start}:{start + len(words)}"]
            cli("code", copies[name], "--segment", seg, "--code", path, *extra,
                *(["--memo", memo] if memo else []))  # fmt: skip
            model[name][(seg, path, words)] = memo

    code("aigul", ROUND_1["aigul"])
    code("yerlan", ROUND_1["yerlan"])
    cli("segment-text", copies["yerlan"], segs["fg1.3"], EDITED)
    texts[segs["fg1.3"]] = EDITED

    cli("codes", copies["yerlan"], "--rename", *RENAMED)
    for name in copies:
        cli("bundle", "export", copies[name], "-o", tmp_path / f"{name}-1.fsbundle")
    cli("bundle", "merge", lead, tmp_path / "aigul-1.fsbundle", tmp_path / "yerlan-1.fsbundle")
    # round 2: the coders take the merged project, code more; yerlan removes a coding
    cli("bundle", "export", lead, "-o", tmp_path / "lead-2.fsbundle")
    for name in copies:
        cli("bundle", "merge", copies[name], tmp_path / "lead-2.fsbundle")
    code("aigul", ROUND_2["aigul"])
    code("yerlan", ROUND_2["yerlan"])
    who, key, path, words = REMOVED

    cli("uncode", copies[who], "--segment", segs[key], "--code", path)
    del model[who][(segs[key], path, words)]
    for name in copies:
        cli("bundle", "export", copies[name], "-o", tmp_path / f"{name}-2.fsbundle")
    cli("bundle", "merge", lead, tmp_path / "yerlan-2.fsbundle", tmp_path / "aigul-2.fsbundle")
    before = dump(lead)
    # the first round's bundles again: old news, nothing comes back
    cli("bundle", "merge", lead, tmp_path / "aigul-1.fsbundle", tmp_path / "yerlan-1.fsbundle")
    assert dump(lead) == before
    assert "No open conflicts." in cli("conflicts", lead)

    def renamed(p: str) -> str:
        return RENAMED[1] if p == RENAMED[0] else p

    with Project.open(lead, readonly=True) as p:
        codes = {c.id: c.path for c in p.codebook.codes()}
        assert sorted(codes.values()) == sorted(
            renamed(line.split(",")[0]) for line in CODEBOOK.splitlines()[1:]
        )  # six codes, the renamed one once
        held: dict[str, dict[tuple[str, str, str | None], str | None]] = {
            "aigul": {},
            "yerlan": {},
        }
        for c in p.codebook.codings():
            text = p.transcript.get_segment(c.segment_id).text
            assert text == texts[c.segment_id]
            words = None if c.start_cp is None else text[c.start_cp : c.end_cp]
            entry = (c.segment_id, codes[c.code_id], words)
            assert entry not in held[c.coder], entry  # never twice
            held[c.coder][entry] = c.memo
    expected = {
        name: {(s, renamed(path), w): memo for (s, path, w), memo in codings.items()}
        for name, codings in model.items()
    }
    assert held == expected  # none lost, none duplicated, spans on their words, memos kept
    # the lead's next bundle takes the removal to aigul's copy too
    cli("bundle", "export", lead, "-o", tmp_path / "lead-3.fsbundle")
    cli("bundle", "merge", copies["aigul"], tmp_path / "lead-3.fsbundle")
    with Project.open(copies["aigul"], readonly=True) as p:
        assert len(p.codebook.codings(coder="yerlan")) == len(expected["yerlan"])

    # agreement by hand: unit (segment, code), both coders coded in every session
    printed = json.loads(cli("agreement", lead, "--json"))
    rows = {r["code_path"]: r for r in printed["codes"]}
    assert printed["coders"] == ["aigul", "yerlan"]
    pooled: list[tuple[int, int]] = []
    inter_all = union_all = 0

    def points(name: str, seg: str, path: str) -> set[int]:
        out: set[int] = set()
        for s, p_, w in expected[name]:
            if s == seg and p_ == path:
                start = 0 if w is None else texts[seg].index(w)
                out |= set(range(start, start + len(w or texts[seg])))
        return out

    for path in sorted(codes.values()):
        pairs, inter, union = [], 0, 0
        for seg in segs.values():
            a, y = points("aigul", seg, path), points("yerlan", seg, path)
            pairs.append((int(bool(a)), int(bool(y))))
            inter, union = inter + len(a & y), union + len(a | y)
        row = rows[path]
        assert row["units"] == 16
        assert _close(row["percent"]["value"], sum(a == b for a, b in pairs) / 16), path
        assert _close(row["kappa"]["value"], _kappa(pairs)), path
        assert _close(row["overlap"]["value"], inter / union if union else None), path
        if any(a or b for a, b in pairs):
            pooled += pairs
            inter_all, union_all = inter_all + inter, union_all + union
    overall = printed["overall"]
    assert overall["units"] == len(pooled) == 96
    assert _close(overall["percent"]["value"], sum(a == b for a, b in pooled) / len(pooled))
    assert _close(overall["kappa"]["value"], _kappa(pooled))
    assert _close(overall["overlap"]["value"], inter_all / union_all)
    assert _close(printed["pairwise_kappa"]["aigul / yerlan"]["value"], _kappa(pooled))
    # the table printed and the one written say the same, to their three decimals
    out = cli("agreement", lead, "-o", tmp_path / "agreement.csv")
    with open(tmp_path / "agreement.csv", encoding="utf-8-sig") as fh:
        table = {r["code"]: r for r in csv.DictReader(fh)}
    for path, row in rows.items():
        kappa = row["kappa"]["value"]
        assert table[path]["cohen_kappa"] == ("" if kappa is None else str(kappa))
        shown = f"{kappa:.3f}" if kappa is not None else "n/a"
        assert any(line.startswith(path + " ") and f" {shown} " in line for line in out.split("\n"))
        for name in ("aigul", "yerlan"):
            coded = {s for s, p_, _ in expected[name] if p_ == path}
            assert table[path][f"segments coded by {name}"] == str(len(coded))
