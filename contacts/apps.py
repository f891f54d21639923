from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContactsConfig(AppConfig):
    name = "contacts"
    verbose_name = _("Contacts")

    def ready(self):
        from workspaces import lifecycle

        from . import shell
        from .services.handover import contacts_hand_over

        shell.register()
        # A removed member's contacts and accounts go to a successor (or become unassigned).
        lifecycle.on_member_removed.register("contacts.records", contacts_hand_over)
