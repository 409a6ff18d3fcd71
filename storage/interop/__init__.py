"""Moving project data in and out: REFI-QDA projects and codebooks, transcripts, spreadsheets.

Everything here is plain Python (no Qt); the CLI and the GUI call these functions.
"""

from .codings_export import export_codings
from .qdc import export_codebook, import_codebook
from .qdpx_export import export_qdpx
from .qdpx_import import ImportReport, import_qdpx
from .transcript_export import TRANSCRIPT_FORMATS, export_transcript, render_transcript
from .transcript_import import TRANSCRIPT_IMPORT_FORMATS, import_transcript, parse_transcript

__all__ = [
    "TRANSCRIPT_FORMATS",
    "TRANSCRIPT_IMPORT_FORMATS",
    "ImportReport",
    "export_codebook",
    "export_codings",
    "export_qdpx",
    "export_transcript",
    "import_codebook",
    "import_qdpx",
    "import_transcript",
    "parse_transcript",
    "render_transcript",
]
