from django.conf import settings
from django.http import HttpRequest


def service(request: HttpRequest) -> dict[str, str]:
    """The service's name and who runs the installation, for every page's header
    and footer; a plan's page names the plan's council instead (templates/base.html)."""
    return {"installation_name": settings.INSTALLATION_NAME, "service_name": settings.SERVICE_NAME}
