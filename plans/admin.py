"""The plan in the admin site: the operators' tool, held to the plan's rules.

Only operators (superusers) reach the admin site (improvement/admin_site.py),
and even they go through the rules the service keeps:

- every save goes through plans.services (``save_with_history`` or, for
  records with a ``version``, ``save_version_checked``), so history names the
  operator and a reason, and a form opened before someone else's save is
  refused instead of overwriting it (nor can an officer's older form overwrite
  an admin change: the version moves on);
- history is only read: its rows are never reverted or rewritten;
- approved progress updates are read-only, and their workflow (submission,
  sign-off) happens only in the service;
- nothing is deleted that would make Django change other records behind
  history's back (links it would clear with one bulk update).
"""

from __future__ import annotations

from collections import defaultdict

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.db import router, transaction
from django.db.models import QuerySet
from django.db.models.deletion import Collector, ProtectedError, RestrictedError
from django.forms.models import fields_for_model
from django.http import HttpResponseRedirect
from django.utils.text import capfirst
from simple_history.admin import SimpleHistoryAdmin

from core.numbers import WholeNumberField

from . import accounts
from .models import (
    Action,
    FrozenRecord,
    ImprovementArea,
    Meeting,
    Membership,
    Milestone,
    Organisation,
    Owner,
    Plan,
    ProgressUpdate,
    Theme,
)
from .saving import (
    EditConflict,
    delete_with_history,
    recorded,
    save_version_checked,
    save_with_history,
)

# Form fields that are not the model's: never shown where the form is read-only.
FORM_ONLY = ("opened_version", "change_reason")


def admin_reason(verb: str, form: forms.Form | None = None) -> str:
    """'Changed in the admin site', with the operator's own reason if they gave one."""
    given = ""
    if form is not None and hasattr(form, "cleaned_data"):
        given = (form.cleaned_data.get("change_reason") or "").strip()
    return f"{verb} in the admin site" + (f": {given}" if given else "")


def is_versioned(model) -> bool:
    return any(f.name == "version" for f in model._meta.concrete_fields)


class TrackedForm(forms.ModelForm):
    change_reason = forms.CharField(
        label="Reason for the change (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Kept in the record's history with your name.",
    )


class VersionedFormMixin(forms.ModelForm):
    """Carries the version the operator opened, so that saving an older form
    is refused (``save_version_checked``) rather than overwriting a later change."""

    opened_version = WholeNumberField(
        column="PositiveIntegerField", widget=forms.HiddenInput, required=False
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.initial.setdefault("opened_version", self.instance.version)

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is not None and cleaned.get("opened_version") is None:
            raise forms.ValidationError(
                "This form does not say which version you opened: open the page again."
            )
        return cleaned


class VersionedForm(VersionedFormMixin, TrackedForm):
    pass


class VersionedInlineForm(VersionedFormMixin):
    pass


def surviving_field_updates(objs) -> list[str]:
    """Records that deleting ``objs`` would change with one bulk update (links
    Django clears, on_delete=SET_NULL): no history row, no reason, and an
    approved update could lose its action. Records deleted too are not counted."""
    if not objs:
        return []
    collector = Collector(using=router.db_for_write(type(objs[0])), origin=objs)
    try:
        collector.collect(objs)
    except (ProtectedError, RestrictedError):
        return []  # The admin reports these itself.
    deleted = defaultdict(set)
    for model, instances in collector.data.items():
        deleted[model._meta.concrete_model].update(obj.pk for obj in instances)
    found = []
    for (field, _value), batches in collector.field_updates.items():
        gone = deleted[field.model._meta.concrete_model]
        count = 0
        for batch in batches:
            if isinstance(batch, QuerySet):
                count += batch.exclude(pk__in=gone).count()
            else:
                count += sum(1 for obj in batch if obj.pk not in gone)
        if count:
            opts = field.model._meta
            name, whose = (
                (opts.verbose_name, "its") if count == 1 else (opts.verbose_name_plural, "their")
            )
            found.append(f"{count} {name}: {whose} {field.verbose_name} would be cleared")
    return found


class NoSilentDeletesMixin:
    """Refuses a deletion that would clear other records' links to the deleted
    one (listed as protected on the confirmation page, so nothing is deleted)."""

    def get_deleted_objects(self, objs, request):
        to_delete, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        return to_delete, counts, perms_needed, [*protected, *surviving_field_updates(list(objs))]


class TrackedAdmin(NoSilentDeletesMixin, SimpleHistoryAdmin):
    """Every write through plans.services, with the operator and a reason in
    history; versions checked and bumped; history read-only."""

    form = TrackedForm
    # Whether ``version`` is the record's edit lock (bumped and checked on every
    # save); by default, whether the model has one.
    versioned: bool | None = None
    # Whether operators see the version, read-only, on the record's page.
    version_shown = True

    def __init__(self, model, admin_site) -> None:
        super().__init__(model, admin_site)
        if self.versioned is None:
            self.versioned = is_versioned(model)
        if self.versioned and self.list_editable:
            # The change list's forms would not carry the version each row was opened at.
            raise ImproperlyConfigured(f"{type(self).__name__}: no list_editable on {model}")
        # Versioned records' forms carry the version the operator opened.
        if self.versioned and self.form is TrackedForm:
            self.form = VersionedForm

    # --- Which fields, and when read-only -----------------------------------------

    def _read_only(self, request, obj) -> bool:
        if getattr(request, "_history_read_only", False):
            return True
        if obj is None:
            return not self.has_add_permission(request)
        return not self.has_change_permission(request, obj)

    def get_exclude(self, request, obj=None):
        exclude = super().get_exclude(request, obj)
        if self.versioned and not self.version_shown:
            return [*(exclude or ()), "version"]
        return exclude

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if self.versioned and self.version_shown and "version" not in readonly:
            readonly.append("version")
        if getattr(request, "_history_read_only", False):
            # A past version is shown, every field as text: there is nothing to submit.
            excluded = [*(self.get_exclude(request, obj) or ()), *readonly]
            shown = self.fields or list(fields_for_model(self.model, exclude=excluded))
            readonly += [name for name in shown if name not in readonly]
        return readonly

    def get_fields(self, request, obj=None):
        fields = [f for f in super().get_fields(request, obj) if f not in FORM_ONLY]
        if self._read_only(request, obj):
            return fields
        # The hidden version and the reason box last, after the read-only fields.
        return [*fields, *(f for f in FORM_ONLY if f in self.form.declared_fields)]

    # --- History: read, never reverted ------------------------------------------------

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # simple_history saves a posted history form over the record (a revert),
        # whatever SIMPLE_HISTORY_REVERT_DISABLED says; past versions are only shown.
        if request.method not in ("GET", "HEAD"):
            raise PermissionDenied
        request._history_read_only = True
        return super().history_form_view(request, object_id, version_id, extra_context)

    def has_change_history_permission(self, request, obj=None) -> bool:
        return False

    # --- Saving ------------------------------------------------------------------------

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except EditConflict as conflict:
            # The admin's transaction has been rolled back: nothing was written.
            current = conflict.current
            messages.error(
                request,
                f"{capfirst(current._meta.verbose_name)} “{current}” was changed by someone "
                f"else after you opened it (you opened version {conflict.expected_version}; "
                f"it is now version {current.version}). Nothing was saved. The page now "
                "shows it as it is: make your change again if it is still needed.",
            )
        except FrozenRecord as frozen:
            messages.error(request, f"{frozen}. Nothing was saved.")
        except ValidationError as invalid:
            # The model's own checks, run again on save, found what the form did not.
            messages.error(request, f"Nothing was saved: {' '.join(invalid.messages)}")
        return HttpResponseRedirect(request.get_full_path())

    def save_model(self, request, obj, form, change) -> None:
        if change and not set(form.changed_data) - set(FORM_ONLY):
            return  # Nothing changed: no history row, and no new version to trip others.
        if change and self.versioned:
            save_version_checked(
                obj,
                expected_version=form.cleaned_data["opened_version"],
                reason=admin_reason("Changed", form),
                user=request.user,
            )
        else:
            save_with_history(
                obj, reason=admin_reason("Changed" if change else "Added", form), user=request.user
            )

    def save_related(self, request, form, formsets, change) -> None:
        obj = form.instance
        # Many-to-many changes (an action's partners) make their own history row.
        with recorded(
            obj, reason=admin_reason("Changed" if change else "Added", form), user=request.user
        ):
            form.save_m2m()
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def save_formset(self, request, form, formset, change) -> None:
        reason = admin_reason("Changed", form)
        versioned = is_versioned(formset.model)
        forms_by_instance = {id(f.instance): f for f in formset.forms}
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            self._delete(request, obj, admin_reason("Deleted", form))
        for obj in instances:
            if obj.pk is not None and versioned:
                opened = forms_by_instance[id(obj)].cleaned_data["opened_version"]
                save_version_checked(obj, expected_version=opened, reason=reason, user=request.user)
            else:
                save_with_history(obj, reason=admin_reason("Added", form), user=request.user)
        formset.save_m2m()

    # --- Deleting ------------------------------------------------------------------------

    def _delete(self, request, obj, reason: str) -> None:
        delete_with_history(obj, reason=reason, user=request.user)

    def delete_model(self, request, obj) -> None:
        self._delete(request, obj, admin_reason("Deleted"))

    def delete_queryset(self, request, queryset) -> None:
        # One at a time, through delete(), so each keeps its history row and
        # reason (and a model's own refusal, such as an approved update's, holds).
        with transaction.atomic(using=router.db_for_write(queryset.model)):
            for obj in queryset:
                self.delete_model(request, obj)


# --- The plan's set-up ---------------------------------------------------------------------
#
# Set-up records keep a version as their edit lock, as areas do; operators never
# had it on these pages, so it stays off them (``version_shown``).


@admin.register(Organisation)
class OrganisationAdmin(TrackedAdmin):
    version_shown = False
    list_display = ["name", "short_name", "kind", "council"]
    list_select_related = ["council"]
    search_fields = ["name", "short_name"]


@admin.register(Owner)
class OwnerAdmin(TrackedAdmin):
    version_shown = False
    list_display = ["job_title", "organisation", "user"]
    list_select_related = ["organisation", "user"]
    search_fields = ["job_title"]


@admin.register(Plan)
class PlanAdmin(TrackedAdmin):
    version_shown = False
    list_display = ["title", "organisation", "inspection_end", "sent_to_inspectorate"]
    list_select_related = ["organisation"]
    prepopulated_fields = {"slug": ["title"]}


@admin.register(Membership)
class MembershipAdmin(TrackedAdmin):
    """Who holds which role in which plan (the service's member pages do the
    same for plan administrators, within their own plan)."""

    list_display = ["user", "plan", "role"]
    list_select_related = ["user", "plan"]
    list_filter = ["role", "plan"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "plan__title"]
    autocomplete_fields = ["user"]


@admin.register(Theme)
class ThemeAdmin(TrackedAdmin):
    version_shown = False
    list_display = ["name", "plan", "order"]
    list_select_related = ["plan"]


@admin.register(Meeting)
class MeetingAdmin(TrackedAdmin):
    version_shown = False
    list_display = ["title", "kind", "date", "plan", "cancelled"]
    list_select_related = ["plan"]
    list_filter = ["kind", "cancelled"]


# --- The plan itself -----------------------------------------------------------------------


class ActionInline(admin.TabularInline):
    """An area's actions, edited on its page: version-checked like the action's own page."""

    model = Action
    form = VersionedInlineForm
    extra = 0
    fields = ["reference", "title", "owner", "due_date", "status", "version", "opened_version"]
    readonly_fields = ["version"]
    show_change_link = True
    # Deleting an action clears its milestones' and updates' links to it (a bulk
    # update, without history): that is refused on the action's own page, and
    # the inline's delete box would not ask.
    can_delete = False


@admin.register(ImprovementArea)
class ImprovementAreaAdmin(TrackedAdmin):
    list_display = ["number", "recommendation", "theme", "lead", "plan"]
    list_display_links = ["number", "recommendation"]
    list_select_related = ["theme", "lead__organisation", "plan"]
    list_filter = ["plan", "theme"]
    inlines = [ActionInline]


@admin.register(Action)
class ActionAdmin(TrackedAdmin):
    list_display = ["reference", "title", "area", "owner", "due_date", "status"]
    list_select_related = ["area", "owner__organisation"]
    list_filter = ["status"]
    filter_horizontal = ["partners"]


@admin.register(Milestone)
class MilestoneAdmin(TrackedAdmin):
    list_display = ["title", "area", "due_date", "due_precision", "forecast_date", "status"]
    list_select_related = ["area"]
    list_filter = ["status"]


@admin.register(ProgressUpdate)
class ProgressUpdateAdmin(TrackedAdmin):
    list_display = ["area", "as_at", "rag", "state", "author", "approved_by"]
    list_select_related = ["area", "author", "approved_by"]
    list_filter = ["state", "rag"]
    # The workflow happens in the service only: submission by the author,
    # sign-off by a plan administrator who did not write the update.
    readonly_fields = [
        "state",
        "author",
        "submitted_at",
        "approved_by",
        "approved_at",
        "review_comment",
        "created_at",
        "version",
    ]

    # An approved update is what the board saw: it is never edited or deleted,
    # here any more than in the service (papers as at past dates rely on it).
    def has_change_permission(self, request, obj=None) -> bool:
        if obj is not None and obj.state == ProgressUpdate.State.APPROVED:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        if obj is not None and obj.state == ProgressUpdate.State.APPROVED:
            return False
        return super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change) -> None:
        if not change and obj.author_id is None:
            obj.author = request.user  # An update added here is the operator's own draft.
        super().save_model(request, obj, form, change)


# --- Accounts ------------------------------------------------------------------------------

User = get_user_model()
admin.site.unregister(User)


class OneNameOneAccount(forms.ModelForm):
    """A user name or e-mail address another account has, as people read them
    (plans/accounts.py), is a form error here rather than the database's refusal."""

    def clean(self) -> dict:
        data = super().clean()
        taken = accounts.clashes(
            data.get("username") or "", data.get("email") or "", exclude_pk=self.instance.pk
        )
        for field in taken:
            what = "user name" if field == "username" else "e-mail address"
            self.add_error(
                field,
                f"Another account already has this {what} (ignoring case and look-alike "
                "characters)",
            )
        return data


class OperatorUserCreationForm(OneNameOneAccount, AdminUserCreationForm):
    pass


class OperatorUserChangeForm(OneNameOneAccount, UserChangeForm):
    pass


@admin.register(User)
class OperatorUserAdmin(NoSilentDeletesMixin, UserAdmin):
    """Django's user admin, except that a user who appears in the plan's
    history is not deleted (that would blank their name on every history row
    and owner role): make the account inactive instead."""

    add_form = OperatorUserCreationForm
    form = OperatorUserChangeForm
