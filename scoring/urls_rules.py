"""The rules pages of scoring (included by scoring/urls.py under the app's namespace)."""

urlpatterns: list = []
