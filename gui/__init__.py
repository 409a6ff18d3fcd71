"""FieldScribe's PySide6 desktop app."""

from gui import qtcompat as _qtcompat  # noqa: F401 - protects None/True from a binding leak
