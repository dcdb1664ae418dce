"""Django's and allauth's login backends, loading a reader with what the gate asks about.

The user of every logged-in request comes with their membership (and its tier) and
their contributor profile in one query, read afresh on every request: a membership that
ends or changes package takes effect on the member's next request.
"""

from allauth.account.auth_backends import AuthenticationBackend
from django.contrib.auth import backends, get_user_model


class LoadsReader:
    def get_user(self, user_id):
        users = get_user_model()
        try:
            user = users.objects.readers().get(pk=user_id)
        except users.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None


class ModelBackend(LoadsReader, backends.ModelBackend):
    pass


class AllauthBackend(LoadsReader, AuthenticationBackend):
    pass
