from django.conf import settings
from django.http import HttpRequest


def publication(request: HttpRequest) -> dict[str, str]:
    return {"publication_name": settings.PUBLICATION_NAME}
