"""An answer recorded by mistake goes back to not recorded (``set_consent(unset=...)``), in the
store, the command line (``--quotation unknown``) and the audit log; bad input changes nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from storage import Project
from storage.core.errors import InvalidInputError
from tests.hardening_support import fs_here as fs


def _project(folder: Path) -> tuple[str, str]:
    with Project.create(folder, name="S", coder="lead") as p:
        session = p.sessions.add_session("Интервью", "interview")
        person = p.sessions.add_participant("P01")
        p.consent.set_consent(person.id, session.id, transcription=True, quotation=False)
        return session.id, person.id


def test_an_answer_goes_back_to_not_recorded(tmp_path: Path) -> None:
    session, person = _project(tmp_path / "S.fieldscribe")
    with Project.open(tmp_path / "S.fieldscribe") as p:
        record = p.consent.set_consent(person, session, unset=["quotation"])
        assert (record.transcription, record.quotation) == (True, None)
        (event,) = [e for e in p.audit.entries(action="consent") if e.details.get("not_recorded")]
        assert event.details["not_recorded"] == ["quotation"]
        before = p.consent.consents()
        with pytest.raises(InvalidInputError, match="both answered and unset"):
            p.consent.set_consent(person, session, quotation=True, unset=["quotation"])
        with pytest.raises(InvalidInputError, match="Unknown kind of consent 'quote'"):
            p.consent.set_consent(person, session, unset=["quote"])
        assert p.consent.consents() == before


def test_the_command_line_sets_an_answer_back_with_unknown(tmp_path: Path) -> None:
    folder = tmp_path / "S.fieldscribe"
    session, person = _project(folder)
    out = fs("consent", folder, "--participant", "P01", "--session", session,
             "--quotation", "unknown", "--json")  # fmt: skip
    record = json.loads(out.stdout)
    assert record["transcription"] is True and record["quotation"] is None
    fs("consent", folder, "--participant", "P01", "--session", session, "--recording", "yes")
    with Project.open(folder) as p:
        (record,) = p.consent.consents(participant_id=person)
        assert (record.recording, record.transcription, record.quotation) == (True, True, None)
