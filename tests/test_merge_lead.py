"""A project records its lead. Before, project data did not say who leads: a coder's copy took
the lead's removal of her coding as a conflict, she could keep the coding there, and her next
bundle brought it back at the lead. Now the lead's removals and decisions are final in a
coder's copy, only the lead resolves conflicts, and the lead travels in bundles
(``storage/team/lead.py``). Projects made before (no lead recorded) behave as before."""

from __future__ import annotations

import json
import tempfile
import time
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from storage import Project
from storage.core.errors import InvalidInputError
from storage.team.bundle_export import export_bundle
from storage.team.merging import merge_bundles
from tests.hardening_support import fingerprint, one_line_error, run_cli
from tests.teamwork_helpers import forget_lead, make_lead, team


def test_the_creator_leads_and_copies_take_the_bundles_lead(tmp_path: Path) -> None:
    lead, _segs, coders = team(tmp_path, "alice")
    assert lead.team.lead == "lead" and lead.team.may_resolve
    alice = coders["alice"]
    assert alice.team.lead == "lead" and not alice.team.may_resolve
    with zipfile.ZipFile(tmp_path / "lead.fsbundle") as zf:
        assert json.loads(zf.read("manifest.json"))["lead"] == "lead"
    # a copy of a project made before leads were recorded has none (not its own coder)
    forget_lead(lead)
    export_bundle(lead, tmp_path / "old.fsbundle")
    with Project.from_bundle(tmp_path / "old.fsbundle", tmp_path / "b", coder="bob") as bob:
        assert bob.team.lead is None and bob.team.may_resolve
    lead.close()
    alice.close()


def _text_conflict(tmp: Path) -> tuple[Project, Project, list[str]]:
    """lead and alice edit one segment differently; alice merges the lead's bundle."""
    lead, segs, coders = team(tmp, "alice")
    alice = coders["alice"]
    alice.transcript.update_segment(segs[0], text="alice says")
    lead.transcript.update_segment(segs[0], text="lead says")
    export_bundle(lead, tmp / "lead2.fsbundle")
    merge_bundles(alice, [tmp / "lead2.fsbundle"])
    return lead, alice, segs


def test_only_the_lead_resolves_and_the_decision_reaches_the_coder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lead, alice, segs = _text_conflict(tmp_path)
    (conflict,) = alice.team.conflicts()
    with pytest.raises(InvalidInputError, match="Only the project's lead, lead, resolves"):
        alice.team.resolve_conflict(conflict.id, keep=0)
    export_bundle(alice, tmp_path / "a2.fsbundle")
    folder = alice.folder
    alice.close()
    code, out, _ = run_cli(capsys, "conflicts", folder)
    assert code == 0 and "Segment edited differently (alice, lead)" in out
    assert "Only the lead, lead, resolves conflicts: your next bundle takes these" in out
    before = fingerprint(folder)
    code, _, err = run_cli(capsys, "conflicts", folder, "--resolve", conflict.id, "--keep", "0")
    assert code == 1 and "Only the project's lead, lead, resolves" in one_line_error(err)
    assert fingerprint(folder) == before
    # the lead gets the same conflict from alice's bundle, decides, and it travels back
    merge_bundles(lead, [tmp_path / "a2.fsbundle"])
    (at_lead,) = lead.team.conflicts()
    assert at_lead.id == conflict.id
    keep = next(i for i, v in enumerate(at_lead.versions) if v.author == "alice")
    lead.team.resolve_conflict(at_lead.id, keep=keep)
    export_bundle(lead, tmp_path / "lead3.fsbundle")
    with Project.open(folder) as alice:
        merge_bundles(alice, [tmp_path / "lead3.fsbundle"])
        assert alice.team.conflicts() == []
        assert alice.transcript.get_segment(segs[0]).text == "alice says"
    lead.close()


def test_a_project_without_a_lead_records_one_and_its_copies_take_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Migration: an old project (no lead) behaves as before; `team lead` records it in the
    lead's project; the lead's next bundle carries it to every copy."""
    lead, segs = make_lead(tmp_path)
    forget_lead(lead)
    export_bundle(lead, tmp_path / "lead.fsbundle")
    lead.close()
    alice = Project.from_bundle(tmp_path / "lead.fsbundle", tmp_path / "a", coder="alice")
    assert alice.team.lead is None and alice.team.may_resolve
    folder = tmp_path / "lead.fieldscribe"
    code, out, _ = run_cli(capsys, "team", "lead", folder)
    assert code == 0 and "records no lead" in out and "fieldscribe team lead DIR NAME" in out
    code, _, err = run_cli(capsys, "team", "lead", folder, "  ")  # refused, nothing recorded
    assert code == 1 and "must not be empty" in err
    code, out, _ = run_cli(capsys, "team", "lead", folder)
    assert "records no lead" in out
    code, out, _ = run_cli(capsys, "team", "lead", folder, "lead")
    assert code == 0 and out.startswith("Lead: lead (you)")
    with Project.open(folder) as lead:
        export_bundle(lead, tmp_path / "lead2.fsbundle")
    (summary,) = merge_bundles(alice, [tmp_path / "lead2.fsbundle"])
    assert summary.settings == {"lead": "lead"}
    assert alice.team.lead == "lead" and not alice.team.may_resolve
    # alice naming someone else in her copy is refused (only the lead hands it over)
    with pytest.raises(InvalidInputError, match="only lead hands it over"):
        alice.team.set_lead("alice")
    alice.close()
    code, out, _ = run_cli(capsys, "team", "lead", tmp_path / "a", "--json")
    assert json.loads(out) == {"lead": "lead", "coder": "alice", "resolves_conflicts": False}
    assert segs


def test_a_handover_travels_and_a_self_named_lead_does_not(tmp_path: Path) -> None:
    lead, _segs, coders = team(tmp_path, "alice", "dana")
    alice, dana = coders["alice"], coders["dana"]
    # alice takes over in her copy: her bundle does not make her the lead elsewhere
    alice.team.set_lead("alice", take_over=True)
    assert alice.team.may_resolve
    export_bundle(alice, tmp_path / "a.fsbundle")
    (summary,) = merge_bundles(lead, [tmp_path / "a.fsbundle"])
    assert lead.team.lead == "lead" and "lead" not in summary.settings
    # the lead hands over to dana: the lead's bundle carries it; an older one does not undo it
    lead.team.set_lead("dana")
    assert not lead.team.may_resolve
    export_bundle(lead, tmp_path / "lead2.fsbundle")
    merge_bundles(dana, [tmp_path / "lead2.fsbundle"])
    assert dana.team.lead == "dana" and dana.team.may_resolve
    merge_bundles(dana, [tmp_path / "lead.fsbundle"])
    assert dana.team.lead == "dana"
    for p in (lead, alice, dana):
        p.close()


def test_a_code_the_lead_deleted_goes_from_a_coders_copy_unless_she_used_it_since(
    tmp_path: Path,
) -> None:
    """The lead deletes Health, which alice and bob used: bob's copy lets it go with alice's
    codings (the lead saw them: no conflict). alice coded it again since: her copy keeps the
    code with the codings the lead never saw, as a conflict for the lead; her bundle brings it
    to the lead, who decides, and the decision closes it in her copy."""
    lead, segs, coders = team(tmp_path, "alice", "bob")
    alice, bob = coders["alice"], coders["bob"]
    health = lead.codebook.find_code("Services/Health")
    assert health is not None
    alice.codebook.apply_code(segs[0], health.id)
    bob.codebook.apply_code(segs[1], health.id)
    for name in ("alice", "bob"):
        export_bundle(coders[name], tmp_path / f"{name}.fsbundle")
    merge_bundles(lead, [tmp_path / "alice.fsbundle", tmp_path / "bob.fsbundle"])
    export_bundle(lead, tmp_path / "lead2.fsbundle")
    merge_bundles(alice, [tmp_path / "lead2.fsbundle"])
    merge_bundles(bob, [tmp_path / "lead2.fsbundle"])
    lead.codebook.delete_code(health.id, force=True)
    alice.codebook.apply_code(segs[2], health.id)  # unseen by the lead
    export_bundle(lead, tmp_path / "lead3.fsbundle")
    merge_bundles(bob, [tmp_path / "lead3.fsbundle"])
    assert bob.codebook.codings() == [] and bob.team.conflicts() == []
    merge_bundles(alice, [tmp_path / "lead3.fsbundle"])
    assert [c.segment_id for c in alice.codebook.codings()] == [segs[2]]
    (waiting,) = alice.team.conflicts()
    assert waiting.row_id == health.id and not alice.team.may_resolve
    export_bundle(alice, tmp_path / "alice2.fsbundle")
    merge_bundles(lead, [tmp_path / "alice2.fsbundle"])
    (at_lead,) = lead.team.conflicts()
    assert at_lead.id == waiting.id
    lead.team.resolve_conflict(at_lead.id, keep=next(i for i, v in enumerate(at_lead.versions)
                                                     if v.deleted))  # fmt: skip
    export_bundle(lead, tmp_path / "lead4.fsbundle")
    merge_bundles(alice, [tmp_path / "lead4.fsbundle"])
    assert alice.codebook.codings() == [] and alice.team.conflicts() == []
    assert alice.codebook.find_code("Services/Health") is None
    for p in (lead, alice, bob):
        p.close()


CODERS = ("alice", "bob")


class LeadDecides(RuleBasedStateMachine):
    """Coders code and remove their own codings (another coder's is refused, as is anyone's
    re-assigning a coding not theirs), send bundles to the lead and take the lead's; the lead
    removes codings and resolves every open conflict one way.

    Model (independent of the merge): the ids the lead removed (or whose removal the lead
    kept) and each coding's creator and remover. Invariants: no coding the lead removed is at
    the lead again (no coder's bundle brings it back); a coder's copy that took the lead's
    bundle since has neither it nor a conflict about it; a coding its coder sent and neither
    she nor the lead removed is at the lead; only the lead may resolve."""

    def __init__(self) -> None:
        super().__init__()
        self.tmp = tempfile.TemporaryDirectory()
        root = Path(self.tmp.name)
        self.lead, self.segs, self.coders = team(root, *CODERS)
        health = self.lead.codebook.find_code("Services/Health")
        assert health is not None
        self.health = health.id
        self.n = 0
        self.lead_removed: set[str] = set()
        self.own_removed: set[str] = set()  # removed by their own coder
        self.sent: dict[str, set[str]] = {name: set() for name in CODERS}
        #: per coder, what the lead had removed when she last took the lead's bundle
        self.taken: dict[str, set[str]] = {name: set() for name in CODERS}
        self.creator: dict[str, str] = {}

    def teardown(self) -> None:
        for p in (self.lead, *self.coders.values()):
            p.close()
        self.tmp.cleanup()

    def _bundle(self, project: Project) -> Path:
        self.n += 1
        path = Path(self.tmp.name) / f"{self.n}.fsbundle"
        export_bundle(project, path)
        return path

    @initialize(segs=st.lists(st.integers(0, 3), min_size=1, max_size=3))
    def start(self, segs: list[int]) -> None:
        """Each coder codes some segments and sends them; both take the lead's bundle."""
        for who in CODERS:
            for seg in segs:
                self.code(who, seg)
            self.coder_sends(who)
        for who in CODERS:
            self.lead_sends(who)

    @rule(who=st.sampled_from(CODERS), seg=st.integers(0, 3))
    def code(self, who: str, seg: int) -> None:
        p = self.coders[who]
        if any(c.segment_id == self.segs[seg] for c in p.codebook.codings(coder=who)):
            return
        coding = p.codebook.apply_code(self.segs[seg], self.health)
        self.creator[coding.id] = who

    @rule(who=st.sampled_from(CODERS), pick=st.integers(0, 7))
    def coder_removes(self, who: str, pick: int) -> None:
        """Her own coding goes; another coder's stays (only its coder or the lead removes
        it), refused with one line, nothing changed."""
        p = self.coders[who]
        here = p.codebook.codings()
        if here:
            coding = here[pick % len(here)]
            if coding.coder != who:
                with pytest.raises(InvalidInputError, match=f"only {coding.coder} or the lead"):
                    p.codebook.remove_coding(coding.id)
                assert p.codebook.codings() == here
                return
            p.codebook.remove_coding(coding.id)
            self.own_removed.add(coding.id)

    @rule(who=st.sampled_from((*CODERS, "lead")), pick=st.integers(0, 7))
    def another_re_assigns(self, who: str, pick: int) -> None:
        """Nobody but its coder re-assigns a coding, the lead included: refused, unchanged."""
        p = self.lead if who == "lead" else self.coders[who]
        here = [c for c in p.codebook.codings() if c.coder != who]
        if here:
            coding = here[pick % len(here)]
            other = p.codebook.ensure_code_path("Trust")
            with pytest.raises(InvalidInputError, match=f"only {coding.coder} can re-assign"):
                p.codebook.update_coding(coding.id, code_id=other.id)
            assert p.codebook.codings(code_id=other.id) == []

    @rule(pick=st.integers(0, 7))
    def lead_removes(self, pick: int) -> None:
        here = self.lead.codebook.codings()
        if here:
            coding = here[pick % len(here)]
            self.lead.codebook.remove_coding(coding.id)
            self.lead_removed.add(coding.id)

    @rule(who=st.sampled_from(CODERS))
    def coder_sends(self, who: str) -> None:
        p = self.coders[who]
        self.sent[who] |= {c.id for c in p.codebook.codings(coder=who)}
        merge_bundles(self.lead, [self._bundle(p)])

    @rule(who=st.sampled_from(CODERS))
    def lead_sends(self, who: str) -> None:
        merge_bundles(self.coders[who], [self._bundle(self.lead)])
        self.taken[who] = set(self.lead_removed)

    @rule(keep_deletion=st.booleans())
    def lead_resolves(self, keep_deletion: bool) -> None:
        for conflict in self.lead.team.conflicts():
            conflict = self.lead.team.get_conflict(conflict.id)
            if conflict.status != "open":
                continue
            pick = next(
                (i for i, v in enumerate(conflict.versions) if v.deleted == keep_deletion), 0
            )
            self.lead.team.resolve_conflict(conflict.id, keep=pick)
            if conflict.versions[pick].deleted and conflict.table_name == "codings":
                self.lead_removed.add(conflict.row_id)

    @invariant()
    def the_leads_removals_stand(self) -> None:
        at_lead = {c.id for c in self.lead.codebook.codings()}
        assert not at_lead & self.lead_removed
        for who in CODERS:
            p = self.coders[who]
            here = {c.id for c in p.codebook.codings()}
            assert not here & self.taken[who], who
            waiting = {c.row_id for c in p.team.conflicts()}
            assert not waiting & self.taken[who], who
            assert not p.team.may_resolve
        for who in CODERS:
            kept = self.sent[who] - self.lead_removed - self.own_removed
            assert kept <= at_lead, (who, kept - at_lead)
        assert self.lead.team.may_resolve


LeadDecides.TestCase.settings = settings(
    max_examples=20,
    stateful_step_count=8,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
test_lead_decides_against_a_model = LeadDecides.TestCase


def test_a_segment_a_coder_deleted_comes_back_when_the_leads_bundle_codes_it(
    tmp_path: Path,
) -> None:
    """alice deletes a segment the lead then codes: the lead's bundle brings it back in her
    copy, decided there (it could not reach the lead), not an open conflict she cannot resolve."""
    lead, segs, coders = team(tmp_path, "alice")
    alice = coders["alice"]
    alice.transcript.delete_segment(segs[3], force=True)
    health = lead.codebook.find_code("Services/Health")
    assert health is not None
    lead.codebook.apply_code(segs[3], health.id)
    export_bundle(lead, tmp_path / "lead2.fsbundle")
    merge_bundles(alice, [tmp_path / "lead2.fsbundle"])
    assert alice.transcript.get_segment(segs[3]).id == segs[3]
    assert [c.coder for c in alice.codebook.codings()] == ["lead"]
    assert alice.team.conflicts() == []
    (decided,) = alice.team.conflicts(status=None)
    assert decided.resolution == "brought back: the lead's bundle uses it (lead)"
    merge_bundles(alice, [tmp_path / "lead2.fsbundle"])  # again: nothing changes
    assert alice.team.conflicts() == []
    export_bundle(alice, tmp_path / "a2.fsbundle")
    merge_bundles(lead, [tmp_path / "a2.fsbundle"])
    assert lead.team.conflicts() == [] and len(lead.codebook.codings()) == 1
    lead.close()
    alice.close()


def test_each_copy_codes_as_its_own_coder_and_coder_overrides_one_command(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Whom a copy codes as is kept in it (not in the user's settings), so the lead's project
    and a coder's copy of it on one laptop keep their names; --coder still works per command."""
    lead, segs, coders = team(tmp_path, "alice")
    coders["alice"].close()
    folder, copy = lead.folder, tmp_path / "alice.fieldscribe"
    lead.close()
    code, out, _ = run_cli(capsys, "team", "coder", copy)
    assert code == 0 and out.startswith("This copy codes as alice")
    code, _, err = run_cli(capsys, "team", "coder", copy, "Alice K.")
    assert code == 0, err
    code, _, err = run_cli(
        capsys, "code", copy, "--segment", segs[0], "--code", "Services/Health", "--coder", "x"
    )
    assert code == 0, err
    with Project.open(copy) as p:
        assert p.coder == "Alice K." and p.coders.own == "Alice K."
        assert [c.coder for c in p.codebook.codings()] == ["x"]
    with Project.open(folder) as p:
        assert p.coder == "lead"
    code, _, err = run_cli(capsys, "team", "coder", copy, " ")
    assert code == 1 and "must not be empty" in one_line_error(err)


def test_a_lead_who_renames_her_copy_stays_the_lead_everywhere(tmp_path: Path) -> None:
    """The lead codes as another name from now on (File ▸ Coder name for this project): she
    would have lost the right to resolve in her own project, and the copies would not have
    taken the new name (a lead is taken only from the lead they name)."""
    lead, _segs, coders = team(tmp_path, "alice")
    alice = coders["alice"]
    lead.coders.code_as("Dana S.")
    assert lead.team.lead == "Dana S." and lead.team.may_resolve
    export_bundle(lead, tmp_path / "lead2.fsbundle")
    (summary,) = merge_bundles(alice, [tmp_path / "lead2.fsbundle"])
    assert summary.settings == {"lead": "Dana S."} and alice.team.lead == "Dana S."
    alice.coders.code_as("Alice K.")  # a coder renaming herself moves no lead
    assert alice.team.lead == "Dana S." and not alice.team.may_resolve
    lead.close()
    alice.close()


def test_a_span_coding_waiting_for_the_lead_follows_the_leads_new_text(tmp_path: Path) -> None:
    """alice's span coding on "clinics", which alice and the lead both changed (her memo; the
    lead's rewrite of its segment moved it: a conflict that waits for the lead in her copy,
    which keeps hers), while the lead rewrote the segment's text: it was left at its old code
    points on the new text, counted as the lead's version arriving."""
    lead, segs, coders = team(tmp_path, "alice")
    alice = coders["alice"]
    health = alice.codebook.find_code("Services/Health")
    assert health is not None
    text = alice.transcript.get_segment(segs[0]).text
    start = text.index("clinics")
    coding = alice.codebook.apply_code(
        segs[0], health.id, start_cp=start, end_cp=start + len("clinics")
    )
    export_bundle(alice, tmp_path / "a.fsbundle")
    merge_bundles(lead, [tmp_path / "a.fsbundle"])
    alice.codebook.update_coding(coding.id, memo="alice's note")
    time.sleep(0.01)  # versions are times: the lead's moving the span in the same millisecond
    # would be alice's version, which the lead then seems to have seen
    lead.transcript.update_segment(segs[0], text="At the start, this part talks about clinics")
    export_bundle(lead, tmp_path / "lead2.fsbundle")
    merge_bundles(alice, [tmp_path / "lead2.fsbundle"])
    (conflict,) = alice.team.conflicts()
    assert conflict.row_id == coding.id
    [mine] = alice.codebook.codings()
    new_text = alice.transcript.get_segment(segs[0]).text
    assert mine.memo == "alice's note"
    assert mine.start_cp is not None and mine.end_cp is not None
    assert new_text[mine.start_cp : mine.end_cp] == "clinics"
    lead.close()
    alice.close()
