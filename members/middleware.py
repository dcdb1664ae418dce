"""Django's authentication middleware, making a logged-in reader from this worker's copy
of their row while the readers' generation read with the session stands (readers.py)."""

from django.contrib import auth
from django.contrib.auth import SESSION_KEY
from django.contrib.auth import middleware as auth_middleware
from django.utils.functional import SimpleLazyObject

from .readers import in_generation


def user_of(request):
    """Django's request.user, made with the generation read with this request's session."""
    if not hasattr(request, "_cached_user"):
        logged_in = SESSION_KEY in request.session  # reads the session, and the generation
        generation = getattr(request.session, "readers_generation", None) if logged_in else None
        with in_generation(generation):
            request._cached_user = auth.get_user(request)
    return request._cached_user


class AuthenticationMiddleware(auth_middleware.AuthenticationMiddleware):
    """Django's, making request.user with the readers' generation (user_of)."""

    def process_request(self, request) -> None:
        super().process_request(request)
        request.user = SimpleLazyObject(lambda: user_of(request))
