"""The planning pages of callcentre (included by callcentre/urls.py under the app's namespace)."""

urlpatterns: list = []
