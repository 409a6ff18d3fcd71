"""A session is named on the command line by its id, title or the start of its id, in any case.

A session imported from NVivo keeps the source's GUID as its id, in capitals
("0B7F3A1C-..."); typed or pasted in lower case (or the other way round) it was "No session with
id or title ..."."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from storage import Project
from storage.core.errors import NotFoundError

NVIVO_GUID = "0B7F3A1C-9D2E-4F60-8A1B-2C3D4E5F6071"


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    folder = tmp_path_factory.mktemp("ids") / "p.fieldscribe"
    with Project.create(folder, coder="me") as p:
        p.sessions.add_session("Фокус-группа Алматы", session_id=NVIVO_GUID)
        p.sessions.add_session("Interview", session_id="01a24910-0691-7703-9f92-e5731c348ffa")
    return Project.open(folder, readonly=True)


@settings(max_examples=60, deadline=None)
@given(flips=st.lists(st.booleans(), min_size=36, max_size=36), length=st.integers(4, 36))
def test_an_id_or_its_start_in_any_case_names_the_session(
    project: Project, flips: list[bool], length: int
) -> None:
    for sid in (NVIVO_GUID, "01a24910-0691-7703-9f92-e5731c348ffa"):
        typed = "".join(c.swapcase() if f else c for c, f in zip(sid, flips, strict=True))
        assert project.sessions.resolve(typed) == sid
        assert project.sessions.resolve(typed[:length]) == sid


def test_titles_in_any_case_and_unknown_ids(project: Project) -> None:
    assert project.sessions.resolve("ФОКУС-ГРУППА АЛМАТЫ") == NVIVO_GUID
    with pytest.raises(NotFoundError, match="No session with id or title 'zzzz'"):
        project.sessions.resolve("zzzz")
    with pytest.raises(NotFoundError):
        project.sessions.resolve("0b7")  # under 4 characters: not a start
