from django.apps import AppConfig
from django.db.models.signals import post_migrate


class PlansConfig(AppConfig):
    name = "plans"
    verbose_name = "Improvement plans"

    def ready(self) -> None:
        from . import audit
        from .roles import ensure_roles

        audit.connect()
        post_migrate.connect(ensure_roles, dispatch_uid="plans.ensure_roles")
