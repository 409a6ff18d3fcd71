"""Undo and redo of workbench edits (``project.history``). May import ``storage.core`` only."""
