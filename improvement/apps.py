from django.contrib.admin.apps import AdminConfig as DjangoAdminConfig


class AdminConfig(DjangoAdminConfig):
    """django.contrib.admin, with the operators-only site as ``admin.site``."""

    default_site = "improvement.admin_site.OperatorsAdminSite"
