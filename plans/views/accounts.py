"""Sign-in and password change, answering 400 when the form has errors."""

from django.contrib.auth import views as auth_views
from django.http import HttpResponse

from plans.forms_accounts import GovAuthenticationForm, GovPasswordChangeForm


class LoginView(auth_views.LoginView):
    authentication_form = GovAuthenticationForm
    redirect_authenticated_user = True

    def form_invalid(self, form) -> HttpResponse:
        return self.render_to_response(self.get_context_data(form=form), status=400)


class PasswordChangeView(auth_views.PasswordChangeView):
    form_class = GovPasswordChangeForm

    def form_invalid(self, form) -> HttpResponse:
        return self.render_to_response(self.get_context_data(form=form), status=400)
