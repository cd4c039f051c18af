"""Papers issued to meetings: stored exactly as issued, never changed."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from core.downloads import FORMATS
from plans.models import DatePrecision, Meeting

from .papers import Classification, Kind


class PreparedPaper(models.Model):
    """A paper being prepared for a meeting: its front sheet, edited (with
    history) by scrutiny officers and plan administrators, then issued as
    often as needed. One a meeting and kind of paper."""

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="prepared_papers")
    kind = models.CharField(max_length=30, choices=[(k, Kind.TITLES[k]) for k in Kind.ALL])
    as_at = models.DateField("As-at date")
    title = models.CharField("Report title", max_length=300)
    committee = models.CharField(
        "Meeting named in the title block",
        max_length=200,
        help_text="Printed in capitals above the title, e.g. Ambitious Plymouth Scrutiny.",
    )
    agenda_item = models.CharField("Agenda item", max_length=20, blank=True, default="")
    report_of = models.CharField(
        "Report of", max_length=200, blank=True, default="", help_text="The responsible officer."
    )
    author = models.CharField("Author", max_length=200, blank=True, default="")
    contact = models.CharField(
        "Author's contact",
        max_length=300,
        blank=True,
        default="",
        help_text="Telephone and e-mail, for questions and the background papers.",
    )
    purpose = models.TextField("Purpose of the report", blank=True, default="")
    recommendations = models.TextField(
        "Recommendations", blank=True, default="", help_text="One a line; numbered in the paper."
    )
    asks = models.TextField(
        "Decisions asked of the meeting",
        blank=True,
        default="",
        help_text="One a line. Board papers list them on their first page.",
    )
    briefing = models.TextField("Overview briefing", blank=True, default="")
    background_papers = models.TextField(
        "Background papers", blank=True, default="", help_text="One a line."
    )
    classification = models.CharField(
        max_length=20, choices=Classification.choices, default=Classification.OFFICIAL
    )
    version = models.PositiveIntegerField(default=1)
    history = HistoricalRecords()

    class Meta:
        ordering = ["meeting", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "kind"], name="prepared_paper_one_per_meeting_and_kind"
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=Kind.ALL), name="prepared_paper_valid_kind"
            ),
            models.CheckConstraint(
                condition=models.Q(classification__in=Classification.values),
                name="prepared_paper_valid_classification",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} for {self.meeting}"


class IssuedPaperQuerySet(models.QuerySet):
    def for_listing(self) -> IssuedPaperQuerySet:
        """Without the stored files, which the lists never show."""
        return self.defer("html", *FORMATS).select_related("issued_by", "meeting")


class IssuedPaper(models.Model):
    """A paper as issued to a meeting: its content and every file, frozen.

    Re-issuing makes a new version; the old one is kept. ``save()`` refuses to
    change an issued paper and ``delete()`` refuses to remove one.
    """

    KIND_CHOICES = [(k, Kind.TITLES[k]) for k in Kind.ALL]

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="papers")
    kind = models.CharField(max_length=30, choices=KIND_CHOICES)
    version = models.PositiveIntegerField()
    as_at = models.DateField()
    title = models.CharField(max_length=300)
    briefing = models.TextField(blank=True, default="")
    html = models.TextField()
    # One field per format in the registry (core/downloads.py), named after it.
    docx = models.BinaryField()
    pdf = models.BinaryField()
    xlsx = models.BinaryField(blank=True, default=b"")
    csv = models.BinaryField(blank=True, default=b"")
    classification = models.CharField(
        max_length=20, choices=Classification.choices, default=Classification.OFFICIAL
    )
    # What the front sheet said when issued (papers.FrontSheet as a dict).
    front_sheet = models.JSONField(default=dict, blank=True)
    # None for a paper recorded from a source (the seed's May 2015 paper), not issued here.
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="issued_papers",
        null=True,
        blank=True,
    )
    issued_at = models.DateTimeField()
    # A source may date a paper by its month only ("May 2015").
    issued_precision = models.CharField(
        max_length=5, choices=DatePrecision.choices, default=DatePrecision.DAY
    )
    source = models.CharField(
        max_length=300,
        blank=True,
        default="",
        help_text="Where a paper not issued in the service came from.",
    )
    # The files are kept in the row itself; history records who issued what.
    history = HistoricalRecords(excluded_fields=["html", *FORMATS])
    objects = IssuedPaperQuerySet.as_manager()

    class Meta:
        ordering = ["meeting", "kind", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "kind", "version"], name="issued_paper_unique_version"
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=Kind.ALL), name="issued_paper_valid_kind"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} v{self.version} for {self.meeting}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise ValueError("An issued paper cannot be changed: issue a new version instead")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("An issued paper cannot be deleted")

    def file(self, fmt: str) -> bytes:
        if fmt not in FORMATS:
            raise ValueError(f"Unknown paper format: {fmt!r}")
        return bytes(getattr(self, fmt) or b"")

    @property
    def formats(self) -> list[str]:
        """The formats this paper was issued in."""
        return Kind.FORMATS[self.kind]

    @property
    def filename_stem(self) -> str:
        return f"{self.kind}-{self.as_at.isoformat()}-v{self.version}"

    @property
    def issued_on(self) -> str:
        """The day it was issued ("May 2015" for a source dated by month)."""
        from django.utils import timezone

        from plans.models import format_plan_date

        return format_plan_date(timezone.localdate(self.issued_at), self.issued_precision)

    @property
    def issued_by_label(self) -> str:
        if self.issued_by is None:
            return self.source or "Recorded from a source"
        return self.issued_by.get_full_name() or self.issued_by.get_username()
