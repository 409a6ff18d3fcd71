"""Qt item models over FieldScribe's dataclasses (testable without a window)."""
