from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "plans"
    verbose_name = "Improvement plans"

    def ready(self) -> None:
        from . import accounts, audit
        from .history import plan_records  # noqa: F401 - the plan's records in its change log
        from .search import plan_kinds  # noqa: F401 - the plan's records in its search

        audit.connect()
        accounts.connect()
