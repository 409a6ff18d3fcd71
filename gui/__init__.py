"""FieldScribe's PySide6 desktop app."""
