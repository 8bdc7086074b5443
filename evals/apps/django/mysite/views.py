from django.http import HttpRequest, HttpResponse, JsonResponse


def home(request: HttpRequest) -> HttpResponse:
    return HttpResponse(
        "<!doctype html><title>My Site</title><h1>Welcome to My Site</h1>"
        '<p><a href="/about/">About us</a></p>'
    )


def about(request: HttpRequest) -> HttpResponse:
    return HttpResponse("<!doctype html><title>About</title><h1>About My Site</h1>")


def orders(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"orders": [{"id": 1, "total": 12.5}, {"id": 2, "total": 30.0}]})
