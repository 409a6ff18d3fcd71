"""Moving project data in and out: REFI-QDA projects and codebooks, transcripts, spreadsheets.

Everything here is plain Python (no Qt); the CLI and the GUI call these functions.
"""

