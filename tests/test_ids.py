"""Row ids: time-ordered UUIDs (version 7) that still read as ordinary UUID text."""

from __future__ import annotations

import threading
import time
import uuid
from pathlib import Path

from storage import Project
from storage.core.ids import new_id


def test_ids_are_version_7_uuids_in_the_order_they_were_made() -> None:
    before = time.time_ns() // 1_000_000
    ids = [new_id() for _ in range(20_000)]  # many within one millisecond
    after = time.time_ns() // 1_000_000
    assert len(set(ids)) == len(ids)
    assert ids == sorted(ids)  # as text, as SQLite compares them
    for text in (ids[0], ids[-1]):
        parsed = uuid.UUID(text)
        assert str(parsed) == text
        assert parsed.version == 7 and parsed.variant == uuid.RFC_4122
        assert before <= parsed.int >> 80 <= after + 1  # Unix milliseconds


def test_ids_made_by_several_threads_are_unique_and_each_thread_s_increase() -> None:
    made: dict[int, list[str]] = {}

    def work(n: int) -> None:
        made[n] = [new_id() for _ in range(5_000)]

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    every = [i for ids in made.values() for i in ids]
    assert len(set(every)) == len(every) == 20_000
    assert all(ids == sorted(ids) for ids in made.values())


def test_rows_get_time_ordered_ids_and_older_random_ids_still_work(tmp_path: Path) -> None:
    with Project.create(tmp_path / "p.fieldscribe", coder="ana") as p:
        session = p.sessions.add_session("Interview")
        code = p.codebook.ensure_code_path("Access")
        old = str(uuid.uuid4())  # a row of a project made before version-7 ids
        p.db.conn.execute(
            "INSERT INTO segments (id, session_id, start_ms, end_ms, text, created_by, "
            "created_at, updated_at) VALUES (?, ?, 0, 900, 'old words', 'ana', "
            "'2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z')",
            (old, session.id),
        )
        p.db.conn.commit()
        p.codebook.apply_code(old, code.id)
        assert uuid.UUID(session.id).version == 7 and uuid.UUID(code.id).version == 7
        (coding,) = p.codebook.codings(segment_id=old)
        assert uuid.UUID(coding.id).version == 7 and coding.segment_id == old
