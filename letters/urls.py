from django.urls import path

from . import views

app_name = "letters"

urlpatterns = [
    path("letter/subscribe/", views.subscribe, name="subscribe"),
    path("letter/subscribe/thanks/", views.subscribe_thanks, name="subscribe-thanks"),
    path("letter/confirm/<str:token>/", views.confirm, name="confirm"),
    path("letter/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
