from django.urls import path

from . import views

app_name = "letters"

urlpatterns = [
    path("letter/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
