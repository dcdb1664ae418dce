"""Media on object storage (django-storages' S3 backend), as settings.py chooses it when a
bucket is named: the same addresses and lifetimes as the site gives media on its disk
(articles/media.py), set on each object for the bucket, or a CDN in front, to answer with."""

from storages.backends.s3 import S3Storage

from .media import NAMED_BY_CONTENT


class MediaStorage(S3Storage):
    def get_object_parameters(self, name: str) -> dict:
        parameters = super().get_object_parameters(name)
        if name.startswith(NAMED_BY_CONTENT):  # each name holds one file for ever
            parameters.setdefault("CacheControl", "public, max-age=31536000, immutable")
        else:  # an upload as staff gave it
            parameters.setdefault("CacheControl", "public, max-age=86400")
        return parameters
