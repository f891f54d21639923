"""The engine pages of journeys (included by journeys/urls.py under the app's namespace)."""

urlpatterns: list = []
