from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.urls import path

app_name = "agreements"


@login_required
def _placeholder(request):
    return HttpResponse("")


urlpatterns = [
    path("", _placeholder, name="list"),
    path("kontrakter/", _placeholder, name="contracts"),
    path("nasjonalt/", _placeholder, name="national"),
]
