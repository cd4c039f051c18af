"""The admin site: a tool for the operators (superusers), and nobody else.

Plan administrators and everyone else work in the service, where
plans/permissions.py decides what they may do; the admin site would bypass
those rules, so it is closed to them outright. A signed-in user who is not an
operator gets a plain 403 on every admin URL (never a redirect to a sign-in
page that would send them straight back, as the service's sign-in page does for
a signed-in user). Anonymous users are sent to the service's one sign-in page,
with its lockout and audit log.

Installed as the default site by improvement.apps.AdminConfig, so the
``@admin.register`` calls in the apps' admin modules register here.
"""

from __future__ import annotations

from functools import update_wrapper

from django.conf import settings
from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect


class OperatorsAdminSite(admin.AdminSite):
    site_header = "Improvement Plan Tracker administration"
    site_title = "Improvement Plan Tracker"
    index_title = "Operators' administration"

    def has_permission(self, request) -> bool:
        user = request.user
        return user.is_active and user.is_superuser

    def _refuse(self, request, next_url: str):
        """The answer to anyone who is not an operator."""
        if request.user.is_authenticated:
            raise PermissionDenied
        return redirect_to_login(next_url, settings.LOGIN_URL)

    def admin_view(self, view, cacheable=False):
        # Django's own version sends everyone without permission to the admin's
        # sign-in page; a signed-in non-operator must be refused instead.
        def inner(request, *args, **kwargs):
            if not self.has_permission(request):
                if request.path == reverse("admin:logout", current_app=self.name):
                    # Nothing to come back to after signing in.
                    return self._refuse(request, reverse("admin:index", current_app=self.name))
                return self._refuse(request, request.get_full_path())
            return view(request, *args, **kwargs)

        if not cacheable:
            inner = never_cache(inner)
        if not getattr(view, "csrf_exempt", False):
            inner = csrf_protect(inner)
        return update_wrapper(inner, view)

    @method_decorator(never_cache)
    @login_not_required
    def login(self, request, extra_context=None):
        # Nobody signs in here: operators use the service's sign-in page too.
        if self.has_permission(request):
            return HttpResponseRedirect(reverse("admin:index", current_app=self.name))
        next_url = request.GET.get("next") or reverse("admin:index", current_app=self.name)
        return self._refuse(request, next_url)
