"""Uploaded pictures, served by the site itself when they are kept on its disk."""

from pathlib import PurePosixPath

from django.conf import settings
from django.http import FileResponse, Http404, HttpRequest
from django.views.static import serve

from . import share
from .images import RENDITIONS

# Uploads are stored as these and nothing else; anything else in MEDIA_ROOT is not served.
MEDIA_TYPES = {".jpg": "image/jpeg", ".png": "image/png", ".webp": "image/webp"}
# Files whose names carry a digest of their content: each name holds one file for ever.
NAMED_BY_CONTENT = (RENDITIONS, share.FOLDER)


def media(request: HttpRequest, path: str) -> FileResponse:
    """Uploaded pictures, from MEDIA_ROOT only, with a content type we chose."""
    content_type = MEDIA_TYPES.get(PurePosixPath(path).suffix.lower())
    if content_type is None:
        raise Http404
    response = serve(request, path, document_root=settings.MEDIA_ROOT)
    response["Content-Type"] = content_type
    if path.startswith(NAMED_BY_CONTENT):
        response["Cache-Control"] = "public, max-age=31536000, immutable"
    else:  # an upload as staff gave it
        response["Cache-Control"] = "public, max-age=86400"
    return response
