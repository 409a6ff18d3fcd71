"""What a killed FieldScribe left half done and this process cleared or finished, said once.

Opening or creating a project sweeps up after a process that died mid-work (a build folder that
never became a project, copies never recorded, audio still clear under a committed destroy). The
person is told in one line each: the storage layer notes them here, and whoever talks to the
person (the command line after each command, the workbench) takes them.
"""

from __future__ import annotations

_NOTES: list[str] = []


def tell(line: str) -> None:
    """Note one line for the person."""
    if line not in _NOTES:
        _NOTES.append(line)


def take() -> list[str]:
    """The lines noted since the last call (and forget them)."""
    lines = list(_NOTES)
    _NOTES.clear()
    return lines
