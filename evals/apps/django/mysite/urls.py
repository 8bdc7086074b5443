from django.urls import path

from mysite import views

urlpatterns = [path("", views.home), path("about/", views.about), path("orders.json", views.orders)]
