"""`milia-scan serve`: the HTTP API and the web page (needs `pip install 'milia-scan[serve]'`).

    >>> from milia_scan.serve import create_app
    >>> app = create_app()          # a FastAPI app: run it with any ASGI server

Nothing else in milia_scan imports this package, so `import milia_scan` never loads FastAPI.
"""

from .app import app_from_env, create_app
from .schemas import MAX_LABEL_CHARS, MAX_LABELS, MAX_OTHER_BODY, MAX_SCAN_BODY, MAX_SCORE_BODY

__all__ = ["MAX_LABELS", "MAX_LABEL_CHARS", "MAX_OTHER_BODY", "MAX_SCAN_BODY", "MAX_SCORE_BODY", "app_from_env",
           "create_app"]
