"""FieldScribe's tests (pytest)."""
