"""The second line of defence behind the admin's: a workflow that changes data or sends
email refuses a user without the permission it needs, whoever calls it."""

from django.core.exceptions import PermissionDenied


def require(user, permission: str) -> None:
    """Refuse `user` unless they hold `permission` ("app_label.codename"). No user is the
    site itself acting on its own schedule (a task, a management command)."""
    if user is not None and not user.has_perm(permission):
        raise PermissionDenied(f"{user} may not do this: it needs {permission}.")
