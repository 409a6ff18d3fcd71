"""The order the test files go to scripts/test.sh's two processes (tests/conftest.py)."""

from __future__ import annotations

from dataclasses import dataclass

from tests.conftest import long_files_first


@dataclass
class Item:
    nodeid: str
    slow: bool = False

    def get_closest_marker(self, name: str) -> object | None:
        return object() if name == "slow" and self.slow else None


def test_long_files_go_first_and_each_file_keeps_its_order() -> None:
    """xdist (``--dist loadfile --no-loadscope-reorder``) hands out files in this order: a
    real-model file with two tests came last (most tests first), run alone at the end."""
    items = [
        Item("tests/test_a.py::one"),
        Item("tests/test_a.py::two"),
        Item("tests/test_a.py::three"),
        Item("tests/test_b.py::quick"),
        Item("tests/test_real.py::heard", slow=True),
        Item("tests/test_real.py::said"),
        Item("tests/gui/test_gui_every_control.py::test_control[x]"),
        Item("tests/test_c.py::one"),
        Item("tests/test_c.py::two"),
        Item("tests/test_c.py::three"),
    ]
    long_files_first(items)
    assert [i.nodeid for i in items] == [
        "tests/test_real.py::heard",
        "tests/test_real.py::said",
        "tests/gui/test_gui_every_control.py::test_control[x]",
        "tests/test_a.py::one",
        "tests/test_a.py::two",
        "tests/test_a.py::three",
        "tests/test_c.py::one",
        "tests/test_c.py::two",
        "tests/test_c.py::three",
        "tests/test_b.py::quick",
    ]
