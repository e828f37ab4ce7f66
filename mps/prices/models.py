"""The price catalogue and workload baskets (reference data), in the relational database.

Catalogue and baskets have no `tenant_owner`: they are published reference data every logged-in
user reads and only the operator changes (mps.core.tenancy). What an agency paid is never stored
here; it is read from its own FOCUS data when asked (mps.prices.engine.paid).
"""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from mps.prices.engine.catalogue import PriceRecord, SkuKey


class PriceSku(models.Model):
    """One SKU of one vendor in one region with one price type (Consumption, Reservation 1 Year …).

    `price_list` tells the vendor's public list prices ("") from a framework agreement's prices.
    """

    vendor_name = models.CharField(_("vendor"), max_length=200, db_index=True)
    vendor = models.ForeignKey(
        "organisations.Organisation",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="price_skus",
        verbose_name=_("vendor organisation"),
    )
    sku_id = models.CharField(_("SKU id"), max_length=200)
    region = models.CharField(_("region"), max_length=100, blank=True)
    price_type = models.CharField(_("price type"), max_length=100, default="Consumption")
    meter = models.CharField(_("meter"), max_length=200, blank=True)
    product = models.CharField(_("product"), max_length=300)
    service = models.CharField(_("service"), max_length=200, blank=True)
    unit = models.CharField(_("unit of measure"), max_length=100)
    price_list = models.CharField(
        _("price list"),
        max_length=60,
        blank=True,
        help_text=_(
            "Empty for the vendor's public list prices; else the framework agreement's reference"
        ),
    )
    agreement = models.ForeignKey(
        "agreements.FrameworkAgreement",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="price_skus",
        verbose_name=_("framework agreement"),
    )

    class Meta:
        ordering = ["vendor_name", "price_list", "service", "product", "region", "sku_id"]
        verbose_name = _("priced SKU")
        verbose_name_plural = _("priced SKUs")
        constraints = [
            models.UniqueConstraint(
                fields=["vendor_name", "sku_id", "region", "price_type", "meter", "price_list"],
                name="unique_price_sku_per_list",
            )
        ]

    def __str__(self) -> str:
        return f"{self.vendor_name} {self.sku_id} {self.region}".strip()

    @property
    def key(self) -> SkuKey:
        return SkuKey(
            self.vendor_name, self.sku_id, self.region, self.price_type, self.meter, self.price_list
        )


class ListPrice(models.Model):
    """A vendor's list price for one SKU from a day on (until `effective_to` or the next price)."""

    sku = models.ForeignKey(PriceSku, on_delete=models.CASCADE, related_name="prices")
    currency = models.CharField(_("currency"), max_length=3)
    unit_price = models.DecimalField(_("unit price"), max_digits=24, decimal_places=10)
    tier_min_units = models.DecimalField(
        _("tier from units"), max_digits=24, decimal_places=6, default=Decimal(0)
    )
    effective_from = models.DateField(_("effective from"))
    effective_to = models.DateField(_("effective to"), null=True, blank=True)
    source = models.CharField(_("source file"), max_length=255, blank=True)
    imported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["sku", "currency", "tier_min_units", "effective_from"]
        verbose_name = _("list price")
        verbose_name_plural = _("list prices")
        constraints = [
            models.UniqueConstraint(
                fields=["sku", "currency", "tier_min_units", "effective_from"],
                name="unique_list_price",
            )
        ]

    def __str__(self) -> str:
        return f"{self.sku}: {self.unit_price} {self.currency} from {self.effective_from}"

    def record(self) -> PriceRecord:
        sku = self.sku
        return PriceRecord(
            key=sku.key,
            product=sku.product,
            service=sku.service,
            unit=sku.unit,
            currency=self.currency,
            unit_price=self.unit_price,
            effective_from=self.effective_from,
            effective_to=self.effective_to,
            tier_min_units=self.tier_min_units,
        )


class Basket(models.Model):
    """A standard workload ("small web service") whose monthly price is compared across vendors.

    `name` (English) identifies the basket for the CLI and basket files; `name_nb` is its
    bokmål name, shown when the page is in Norwegian (baskets defined before it existed have none).
    """

    name = models.CharField(_("name (English)"), max_length=200, unique=True)
    name_nb = models.CharField(_("name (Norwegian bokmål)"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("workload basket")
        verbose_name_plural = _("workload baskets")

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        """The name in the page's language: bokmål when there is one and the page is Norwegian."""
        if self.name_nb and (get_language() or "").startswith(("nb", "no")):
            return self.name_nb
        return self.name


class BasketLine(models.Model):
    basket = models.ForeignKey(Basket, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveIntegerField(_("position"), default=0)
    label = models.CharField(_("label"), max_length=200)
    quantity = models.DecimalField(_("quantity per month"), max_digits=20, decimal_places=4)
    unit = models.CharField(_("unit"), max_length=100)

    class Meta:
        ordering = ["basket", "position", "id"]
        verbose_name = _("basket line")
        verbose_name_plural = _("basket lines")
        constraints = [
            models.UniqueConstraint(fields=["basket", "label"], name="unique_basket_line")
        ]

    def __str__(self) -> str:
        return f"{self.label}: {self.quantity} {self.unit}"


class BasketMapping(models.Model):
    """Which SKU of a vendor a basket line is bought as: a SKU id, or a match text."""

    line = models.ForeignKey(BasketLine, on_delete=models.CASCADE, related_name="mappings")
    vendor_name = models.CharField(_("vendor"), max_length=200)
    sku_id = models.CharField(_("SKU id"), max_length=200, blank=True)
    region = models.CharField(_("region"), max_length=100, blank=True)
    match = models.CharField(_("match text"), max_length=200, blank=True)
    factor = models.DecimalField(
        _("SKU units per basket unit"), max_digits=20, decimal_places=6, default=Decimal(1)
    )

    class Meta:
        ordering = ["line", "vendor_name"]
        verbose_name = _("basket mapping")
        verbose_name_plural = _("basket mappings")
        constraints = [
            models.UniqueConstraint(fields=["line", "vendor_name"], name="unique_basket_mapping")
        ]

    def __str__(self) -> str:
        return f"{self.line.label} @ {self.vendor_name}: {self.sku_id or self.match}"
