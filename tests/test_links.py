"""Links between codes (and sessions, passages, memos, participants) are the project's rows:
``project.links`` adds, lists and removes them; a code renamed keeps its links, one merged
into another hands them to it (never a link of a code to itself, nor the same link twice),
one deleted takes them along and its undo brings them back; a deleted session's links come
back with it. Checked against a model of the link set under random edits and undo/redo.
Before, links were only a JSON value an import kept for exports (``exchange.links``):
nobody could see, add or remove one, and migration 0013 moves those into the table."""

from __future__ import annotations

import json
import sqlite3
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from storage import Project
from storage.core.errors import InvalidInputError, NotFoundError
from storage.core.schema import SCHEMA_VERSION
from storage.history.undo import UndoScope
from storage.team.bundle_export import export_bundle
from tests.test_bundle_robustness import old_bundle

CODES = ("Транспорт", "Денсаулық", "Trust", "Cost")  # flat: merges and deletes are whole
NAMES = ("is cause of", "contradicts", "себебі")

Ends = tuple[str, str]
State = dict[str, tuple[Ends, Ends, str, frozenset[str]]]  # ends, name, the memo's parts
MEMOS = (None, "Бірінші ой.", "a second thought")


def _links(p: Project) -> State:
    return {
        k.id: (
            (k.origin.kind, k.origin.id),
            (k.target.kind, k.target.id),
            k.name,
            frozenset(k.memo.split("\n\n") if k.memo else ()),
        )
        for k in p.links.all()
    }


def _twin(state: State, a: Ends, b: Ends, name: str, but: str | None = None) -> bool:
    return any(
        n == name and {o, t} == {a, b} and (o, t) in ((a, b), (b, a))
        for i, (o, t, n, _m) in state.items()
        if i != but
    )


def _merged(state: State, order: list[str], source: str, target: str) -> State:
    """The model of ``merge_codes(source, target)``: each link of ``source`` (oldest first)
    moves to ``target``, unless that links ``target`` to itself or repeats a link (which then
    holds its memo too)."""
    out = dict(state)
    for link_id in sorted(out, key=order.index):
        o, t, name, memo = out[link_id]
        if ("code", source) not in (o, t):
            continue
        o2 = ("code", target) if o == ("code", source) else o
        t2 = ("code", target) if t == ("code", source) else t
        twins = [
            i for i, k in out.items() if i != link_id and k[2] == name and {k[0], k[1]} == {o2, t2}
        ]
        if twins:
            o3, t3, n3, m3 = out[twins[0]]
            out[twins[0]] = (o3, t3, n3, m3 | memo)
        if o2 == t2 or twins:
            del out[link_id]
        else:
            out[link_id] = (o2, t2, name, memo)
    return out


OPS = st.lists(
    st.one_of(
        st.tuples(
            st.just("add"),
            st.integers(0, 3),
            st.integers(0, 3),
            st.integers(0, 2),
            st.integers(0, 2),
        ),
        st.tuples(st.just("remove"), st.integers(0, 20)),
        st.tuples(st.just("rename"), st.integers(0, 3)),
        st.tuples(st.just("merge"), st.integers(0, 3), st.integers(0, 3)),
        st.tuples(st.just("delete"), st.integers(0, 3)),
        st.tuples(st.just("undo")),
        st.tuples(st.just("redo")),
    ),
    min_size=1,
    max_size=14,
)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(ops=OPS)
@example(ops=[("add", 0, 2, 0, 1), ("add", 1, 2, 0, 2), ("merge", 0, 1), ("undo",), ("redo",)])
def test_links_follow_the_model_under_edits_and_undo(ops: list[tuple[Any, ...]]) -> None:
    with tempfile.TemporaryDirectory() as tmp, Project.create(Path(tmp) / "p", coder="ann") as p:
        ids = [p.codebook.ensure_code_path(path).id for path in CODES]
        alive = set(ids)
        model: State = {}
        order: list[str] = []  # link ids, oldest first
        done: list[tuple[Any, State, set[str], State, set[str]]] = []
        undone: list[tuple[Any, State, set[str], State, set[str]]] = []

        def record(scope: UndoScope, fn: Any, grows: Any = None) -> Any:
            before, codes_before = dict(model), set(alive)
            result, rec = p.history.record_edit(scope, fn, grows=grows)
            return result, rec, before, codes_before

        for op in ops:
            kind = op[0]
            if kind == "add":
                a, b, name = ids[op[1]], ids[op[2]], NAMES[op[3]]
                ends = (("code", a), ("code", b))
                if a not in alive or b not in alive or a == b or _twin(model, *ends, name):
                    with pytest.raises((InvalidInputError, NotFoundError)):
                        p.links.add(*ends, name)
                    continue
                memo = MEMOS[op[4]]
                link, rec, before, codes = record(
                    UndoScope(),
                    lambda ends=ends, name=name, memo=memo: p.links.add(*ends, name, memo=memo),
                    grows=lambda k: UndoScope.of(links=[k.id]),
                )
                model[link.id] = (*ends, name, frozenset([memo] if memo else []))
                order.append(link.id)
            elif kind == "remove":
                if not model:
                    continue
                link_id = sorted(model)[op[1] % len(model)]
                _, rec, before, codes = record(
                    UndoScope.of(links=[link_id]), lambda i=link_id: p.links.remove(i)
                )
                del model[link_id]
            elif kind == "rename":
                if ids[op[1]] not in alive:
                    continue
                code = p.codebook.get_code(ids[op[1]])
                p.codebook.update_code(code.id, name=code.name + "ʼ")
                continue  # not an edit of links: nothing to undo here
            elif kind == "merge":
                s, t = ids[op[1]], ids[op[2]]
                if s == t or s not in alive or t not in alive:
                    continue
                _, rec, before, codes = record(
                    p.history.code_scope(s, merge_into=t),
                    lambda s=s, t=t: p.codebook.merge_codes(s, t),
                )
                model = _merged(model, order, s, t)
                alive.discard(s)
            elif kind == "delete":
                c = ids[op[1]]
                if c not in alive:
                    continue
                _, rec, before, codes = record(
                    p.history.code_scope(c), lambda c=c: p.codebook.delete_code(c, force=True)
                )
                model = {i: k for i, k in model.items() if ("code", c) not in k[:2]}
                alive.discard(c)
            elif kind == "undo":
                if not done:
                    continue
                rec, before, codes, after, codes_after = done.pop()
                p.history.undo_edit(rec)
                model, alive = dict(before), set(codes)
                undone.append((rec, before, codes, after, codes_after))
                assert _links(p) == model, op
                continue
            else:  # redo
                if not undone:
                    continue
                rec, before, codes, after, codes_after = undone.pop()
                p.history.redo_edit(rec)
                model, alive = dict(after), set(codes_after)
                done.append((rec, before, codes, after, codes_after))
                assert _links(p) == model, op
                continue
            done.append((rec, before, codes, dict(model), set(alive)))
            undone.clear()
            assert _links(p) == model, op
            assert {c.id for c in p.codebook.codes()} == alive
        assert _links(p) == model


def test_a_renamed_code_keeps_its_links_under_its_new_path(tmp_path: Path) -> None:
    with Project.create(tmp_path / "p", coder="ann") as p:
        a, b = (p.codebook.ensure_code_path(c) for c in ("Access/Transport", "Health"))
        p.links.add(("code", a.id), ("code", b.id), "is cause of")
        p.codebook.update_code(b.id, name="Денсаулық")
        (link,) = p.links.of("code", b.id)
        assert link.describe() == "code 'Access/Transport' → is cause of → code 'Денсаулық'"


def test_bad_links_are_refused_and_change_nothing(tmp_path: Path) -> None:
    with Project.create(tmp_path / "p", coder="ann") as p:
        a, b = (p.codebook.ensure_code_path(c).id for c in ("A", "B"))
        p.links.add(("code", a), ("code", b), "is cause of", direction="Bidirectional")
        before = _links(p)
        for origin, target, name, said in [
            (("code", a), ("code", a), "x", "cannot be linked to itself"),
            (("code", b), ("code", a), "is cause of", "already linked"),
            (("code", a), ("code", b), "  ", "needs a name"),
            (("code", a), ("code", "nope"), "x", "No code with id"),
            (("code", a), ("segment", b), "x", "Links join"),
        ]:
            with pytest.raises((InvalidInputError, NotFoundError), match=said):
                p.links.add(origin, target, name)
        with pytest.raises(InvalidInputError, match="Unknown link direction"):
            p.links.add(("code", a), ("code", b), "x", direction="sideways")
        with pytest.raises(NotFoundError):
            p.links.remove("no-such-link")
        assert _links(p) == before


def test_a_deleted_session_takes_its_links_and_its_restore_brings_them_back(
    tmp_path: Path,
) -> None:
    with Project.create(tmp_path / "p", coder="ann") as p:
        s = p.sessions.add_session("Сұхбат 1")
        other = p.sessions.add_session("Interview 2")
        seg = p.transcript.add_segment(s.id, 61_000, 65_000, "Автобус күніне бір рет жүреді.")
        code, gone = (p.codebook.ensure_code_path(c) for c in ("Access", "Gone soon"))
        coding = p.codebook.apply_code(seg.id, code.id, start_cp=0, end_cp=7)
        memo = p.codebook.add_memo("session", s.id, "Шулы бөлме.", title="Room")
        p.links.add(("coding", coding.id), ("code", code.id), "shows")
        p.links.add(("session", s.id), ("session", other.id), "follows")
        p.links.add(("memo", memo.id), ("code", gone.id), "about")
        p.links.add(("code", code.id), ("code", gone.id), "stays")  # not the session's
        labels = {k.describe() for k in p.links.all()}
        assert "passage in 'Сұхбат 1' at 1:01: \"Автобус\" → shows → code 'Access'" in labels
        before = _links(p)
        p.sessions.delete_session(s.id, force=True)
        assert len(_links(p)) == 1
        p.codebook.delete_code(gone.id)  # the memo's link cannot come back
        report = p.sessions.restore_session(s.id)
        assert report.left_out.get("links to other items") == 1
        assert _links(p) == {i: k for i, k in before.items() if ("code", gone.id) not in k[:2]}


def _old_links_json(p: Project) -> tuple[str, dict[str, Any]]:
    """Links as an import kept them before schema 0013, with a bad entry."""
    a, b = (p.codebook.ensure_code_path(c).id for c in ("Емхана", "Көлік"))
    guid = "0000003c-3333-4333-8333-00000000003c"
    kept = {
        guid: {
            "name": "себебі",
            "direction": "OneWay",
            "color": "#FF0000",
            "origin": ["code", a],
            "target": ["code", b],
        },
        "bad": {"name": "x", "origin": ["picture", "1"], "target": ["code", b]},
    }
    return guid, {"kept": kept, "a": a, "b": b}


def test_an_old_project_s_kept_links_become_rows(tmp_path: Path) -> None:
    with Project.create(tmp_path / "p", coder="ann") as p:
        guid, old = _old_links_json(p)
    conn = sqlite3.connect(tmp_path / "p" / "project.db")
    for (name,) in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'trigger' AND sql LIKE '%links%'"
    ).fetchall():
        conn.execute(f'DROP TRIGGER "{name}"')
    conn.execute("DROP TABLE links")
    conn.execute("DELETE FROM _sqlite_migrations WHERE name = '0013_links'")
    conn.execute("PRAGMA user_version = 12")
    conn.execute(
        "INSERT INTO project_meta (key, value) VALUES ('exchange.links', ?)",
        (json.dumps(old["kept"]),),
    )
    conn.commit()
    conn.close()
    # read-only (not migrated: a folder one cannot write): the kept links are listed as they are
    with Project.open(tmp_path / "p", readonly=True) as p:
        assert [(k.id, k.name, k.origin.label) for k in p.links.all()] == [
            (guid, "себебі", "code 'Емхана'")
        ]
    with Project.open(tmp_path / "p") as p:
        assert p.schema_version == SCHEMA_VERSION
        (link,) = p.links.all()
        assert (link.id, link.name, link.direction, link.colour) == (
            guid,
            "себебі",
            "OneWay",
            "#FF0000",
        )
        assert (link.origin.id, link.target.id) == (old["a"], old["b"])
        assert p.get_meta("exchange.links") is None


def test_an_old_bundle_s_kept_links_arrive_as_rows(tmp_path: Path) -> None:
    with Project.create(tmp_path / "lead", coder="lead") as lead:
        guid, old = _old_links_json(lead)
        with lead.transaction():
            lead.store.conn.execute(
                "INSERT INTO project_meta (key, value) VALUES ('exchange.links', ?)",
                (json.dumps(old["kept"]),),
            )
        export_bundle(lead, tmp_path / "lead.fsbundle")
    bundle = old_bundle(tmp_path / "lead.fsbundle", tmp_path / "old.fsbundle", SCHEMA_VERSION - 1)
    with Project.from_bundle(bundle, tmp_path / "ann", coder="ann") as ann:
        assert [(k.id, k.name) for k in ann.links.all()] == [(guid, "себебі")]
