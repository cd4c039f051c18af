from django.conf import settings
from django.http import HttpRequest


def service(request: HttpRequest) -> dict[str, str]:
    """The council's and the service's names, for the header of every page."""
    return {"council_name": settings.COUNCIL_NAME, "service_name": settings.SERVICE_NAME}
