from django.urls import path

from . import applicant, views

app_name = "members"

urlpatterns = [
    path("membership/", views.PackagesView.as_view(), name="packages"),
    path("membership/apply/", views.apply, name="apply"),
    path("membership/apply/thanks/", views.thanks, name="thanks"),
    path("membership/move/<slug:slug>/", views.move, name="move"),
    path("membership/confirm/<str:token>/", applicant.confirm, name="confirm"),
    path("membership/application/", applicant.own_page, name="application"),
    path("membership/application/withdraw/", applicant.withdraw, name="withdraw"),
    path("membership/application/link/", applicant.send_link, name="send-link"),
    path("membership/application/link/sent/", applicant.link_sent, name="link-sent"),
    path(
        "membership/application/<str:token>/",
        applicant.follow_application_link,
        name="application-link",
    ),
    path(
        "membership/welcome/<uidb64>/<token>/",
        views.AcceptInvitationView.as_view(),
        name="accept-invitation",
    ),
    path("membership/login/<uidb64>/<token>/", views.LoginLinkView.as_view(), name="login-link"),
    path("account/", views.account, name="account"),
    path("account/leave/", views.leave, name="leave"),
]
