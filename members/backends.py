"""Django's and allauth's login backends, loading a reader with what the gate asks about.

The user of every logged-in request comes with their membership (and its tier) and
their contributor profile in one query, so members.access decides what they may
read without a query of its own.
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
