"""Papers issued to meetings: stored exactly as issued, never changed."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from plans.models import Meeting

from .papers import FORMATS, Kind


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
    # One field per format in the registry (papers.FORMATS), named after it.
    docx = models.BinaryField()
    pdf = models.BinaryField()
    xlsx = models.BinaryField(blank=True, default=b"")
    csv = models.BinaryField(blank=True, default=b"")
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="issued_papers"
    )
    issued_at = models.DateTimeField()
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
