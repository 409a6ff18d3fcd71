"""The Analysis window (issue 19): code matrix, co-occurrence, session timeline, frequencies.

``launcher.AnalysisLauncher`` adds "Analysis…" to the View menu and opens ``window.AnalysisWindow``;
``tabs`` holds the four tabs, ``models`` their item models. The numbers come from ``analysis/``.
"""
