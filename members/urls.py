from django.urls import path

from . import views

app_name = "members"

urlpatterns = [
    path("membership/", views.PackagesView.as_view(), name="packages"),
    path("membership/apply/", views.apply, name="apply"),
    path("membership/apply/thanks/", views.thanks, name="thanks"),
    path(
        "membership/welcome/<uidb64>/<token>/",
        views.AcceptInvitationView.as_view(),
        name="accept-invitation",
    ),
    path("account/", views.account, name="account"),
]
