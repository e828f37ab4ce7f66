"""Organisations: agencies, vendors (and their legal entities), the operator, central functions."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from mps.organisations.orgnr import InvalidOrgnr, normalise_orgnr


def validate_orgnr(value: str) -> None:
    try:
        normalise_orgnr(value)
    except InvalidOrgnr as exc:
        raise ValidationError(
            _("Organisation number %(value)s is invalid: %(reason)s."),
            params={"value": value, "reason": exc.reason},
            code="invalid_orgnr",
        ) from exc


class Organisation(models.Model):
    class Kind(models.TextChoices):
        AGENCY = "agency", _("Agency")
        VENDOR = "vendor", _("Vendor")
        OPERATOR = "operator", _("Marketplace operator")
        CENTRAL = "central", _("Central function")

    class Sector(models.TextChoices):
        STATE = "state", _("State")
        MUNICIPALITY = "municipality", _("Municipality")
        COUNTY_MUNICIPALITY = "county_municipality", _("County municipality")
        OTHER = "other", _("Other")

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, db_index=True)
    orgnr = models.CharField(
        _("organisation number"),
        max_length=9,
        unique=True,
        null=True,
        blank=True,
        validators=[validate_orgnr],
        help_text=_("Norwegian organisation number (nine digits)."),
    )
    # Foreign legal entities (vendors' sub-processors are often abroad).
    country = models.CharField(
        _("country"), max_length=2, default="NO", help_text=_("ISO 3166-1 alpha-2")
    )
    foreign_scheme = models.CharField(
        _("identifier scheme"),
        max_length=40,
        blank=True,
        help_text=_("For example GB-COH, DE-HRB, US-EIN."),
    )
    foreign_id = models.CharField(_("identifier"), max_length=60, blank=True)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="children",
        verbose_name=_("parent"),
    )
    sector = models.CharField(
        _("sector"), max_length=24, choices=Sector.choices, blank=True, db_index=True
    )
    org_form = models.CharField(_("organisation form"), max_length=10, blank=True)
    sector_code = models.CharField(_("institutional sector code"), max_length=6, blank=True)
    kommunenummer = models.CharField(_("municipality number"), max_length=4, blank=True)
    county = models.CharField(_("county"), max_length=60, blank=True, db_index=True)
    employees = models.PositiveIntegerField(_("employees"), null=True, blank=True)
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)
    website = models.CharField(_("website"), max_length=200, blank=True)
    peer_opt_in = models.BooleanField(
        _("named in peer comparisons"),
        default=False,
        help_text=_("Show this organisation by name to peers."),
    )
    synthetic = models.BooleanField(
        _("fictitious"), default=False, help_text=_("Demo data: not a real organisation.")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Register data: every logged-in user reads organisations; each changes only its own.
    tenant_owner = "self"
    tenant_published = Q(pk__isnull=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        constraints = [
            models.UniqueConstraint(
                fields=["country", "foreign_scheme", "foreign_id"],
                condition=~Q(foreign_id=""),
                name="unique_foreign_identifier",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def identifier(self) -> str:
        if self.orgnr:
            return self.orgnr
        return f"{self.country}:{self.foreign_scheme}:{self.foreign_id}"

    @property
    def size_band(self) -> str:
        """Peer groups compare like with like: employees for agencies, residents for municipalities."""
        from mps.organisations.peers import size_band

        return size_band(self.sector, self.employees, self.population)

    def clean(self) -> None:
        if self.orgnr:
            self.orgnr = normalise_orgnr(self.orgnr)
        if (
            self.country != "NO"
            and not self.orgnr
            and not (self.foreign_scheme and self.foreign_id)
        ):
            raise ValidationError(_("A foreign legal entity needs an identifier scheme and value."))
        if self.parent_id and self.parent_id == self.pk:
            raise ValidationError(_("An organisation cannot be its own parent."))
