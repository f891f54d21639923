"""Demo data of the catalogue, quotes and quotas (seed_demo, order 60, idempotent): about 20
products in 4 categories with options (support level, size with an exclusion rule, colour),
stock and lead times; quotes in every status on open demo deals; monthly quotas for the
demo sales users so every analysis shows something on first run."""

import datetime
from decimal import Decimal

from django.utils import timezone

from workspaces.roles import Role
from workspaces.selectors import legal_details_get
from workspaces.services import legal_details_update

from ..analytics import add_months, month_key
from ..models import Deal, Product, ProductCategory, Quota, QuotaPeriod, Quote, StageKind
from ..selectors import catalog as catalog_selectors
from ..services import catalog as catalog_services, quotas, quotes

D = Decimal
CATEGORIES = ["Hardware", "Software", "Services", "Training"]
# (sku, name, category, price, tax, stock or None for untracked, lead days, description)
PRODUCTS = [
    ("HW-SRV", "Rack server", "Hardware", "4200", "19", 6, 21, "2U rack server, configurable."),
    ("HW-LAP", "Business laptop", "Hardware", "1350", "19", 14, 7, "14-inch, 3 years warranty."),
    ("HW-DOCK", "USB-C dock", "Hardware", "189", "19", 40, 5, ""),
    ("HW-MON", "27-inch monitor", "Hardware", "349", "19", 0, 14, "QHD, height adjustable."),
    ("HW-HEAD", "Headset", "Hardware", "129", "19", 75, 3, ""),
    ("HW-PHONE", "Desk phone", "Hardware", "219", "19", 3, 10, ""),
    ("SW-CRM", "CRM licence (per user/year)", "Software", "480", "19", None, 0, ""),
    ("SW-BI", "Analytics add-on (per user/year)", "Software", "240", "19", None, 0, ""),
    ("SW-SEC", "Endpoint security (per device/year)", "Software", "45", "19", None, 0, ""),
    ("SW-BAK", "Cloud backup (per TB/year)", "Software", "300", "19", None, 0, ""),
    ("SW-API", "API access package", "Software", "1200", "19", None, 0, ""),
    ("SV-IMPL", "Implementation (day)", "Services", "1100", "19", None, 10, "On site or remote."),
    ("SV-MIGR", "Data migration", "Services", "3500", "19", None, 15, "Fixed price."),
    ("SV-INT", "Integration workshop", "Services", "1800", "19", None, 7, ""),
    ("SV-SUP", "Premium support contract (year)", "Services", "2400", "19", None, 0, ""),
    ("SV-AUDIT", "Security audit", "Services", "5200", "19", None, 30, ""),
    ("TR-ADMIN", "Admin training (day)", "Training", "950", "19", None, 14, ""),
    ("TR-USER", "User training (half day)", "Training", "520", "19", None, 7, ""),
    ("TR-BOOK", "Printed handbook", "Training", "39", "7", 120, 5, "Reduced tax rate."),
    ("TR-ELEARN", "E-learning seat", "Training", "99", "19", None, 0, ""),
]
SUPPORT = [("Basic", "0"), ("Premium", "600"), ("Enterprise", "1500")]


def seed(workspace, users, stdout) -> None:
    owner = users.get(Role.OWNER)
    products = _catalogue(workspace, owner)
    n_quotes = _quotes(workspace, owner, products)
    n_quotas = _quotas(workspace, owner, users)
    _legal_details(workspace, owner)
    stdout.write(
        f"sales catalogue: {len(products)} products ready, "
        f"{n_quotes} quotes and {n_quotas} quotas added"
    )


def _catalogue(workspace, actor) -> dict:
    categories = {}
    for position, name in enumerate(CATEGORIES):
        categories[name] = ProductCategory.objects.filter(name=name).first() or (
            catalog_services.category_create(
                workspace=workspace, actor=actor, name=name, position=position
            )
        )
    existing = {p.sku: p for p in Product.objects.filter(sku__in=[p[0] for p in PRODUCTS])}
    products = {}
    for sku, name, category, price, tax, stock, lead, description in PRODUCTS:
        if sku in existing:
            products[sku] = existing[sku]
            continue
        product = catalog_services.product_create(
            workspace=workspace,
            actor=actor,
            sku=sku,
            name=name,
            description=description,
            category=categories[category],
            unit_price=D(price),
            currency=workspace.currency,
            tax_rate=D(tax),
            track_stock=stock is not None,
            stock_on_hand=stock or 0,
            lead_time_days=lead,
        )
        _options(workspace, product, actor)
        products[sku] = product
    return products


def _options(workspace, product, actor) -> None:
    if product.sku == "HW-SRV":
        size = catalog_services.option_create(
            workspace=workspace,
            product=product,
            actor=actor,
            name="Size",
            values=[("S", "0"), ("M", "1400"), ("L", "3100")],
        )
        support = catalog_services.option_create(
            workspace=workspace, product=product, actor=actor, name="Support level", values=SUPPORT
        )
        small = size.values.get(label="S")
        enterprise = support.values.get(label="Enterprise")
        catalog_services.exclusion_add(
            workspace=workspace, actor=actor, product=product, value_a=small, value_b=enterprise
        )
    elif product.sku == "HW-LAP":
        catalog_services.option_create(
            workspace=workspace,
            product=product,
            actor=actor,
            name="Colour",
            values=[("Silver", "0"), ("Graphite", "0"), ("Blue", "40")],
        )
        catalog_services.option_create(
            workspace=workspace,
            product=product,
            actor=actor,
            name="Memory",
            values=[("16 GB", "0"), ("32 GB", "220")],
        )
    elif product.sku in ("SW-CRM", "SW-BI"):
        catalog_services.option_create(
            workspace=workspace,
            product=product,
            actor=actor,
            name="Support level",
            values=[("Basic", "0"), ("Premium", "60"), ("Enterprise", "140")],
        )


# (status, lines as (sku, option labels, quantity, discount))
QUOTE_PLAN = [
    ("accepted", [("SW-CRM", ["Premium"], 25, "10"), ("SV-IMPL", [], 5, "0")]),
    ("sent", [("HW-SRV", ["M", "Premium"], 2, "5"), ("SV-MIGR", [], 1, "0")]),
    (
        "sent",
        [
            ("HW-LAP", ["Graphite", "32 GB"], 12, "8"),
            ("HW-DOCK", [], 12, "0"),
            ("TR-BOOK", [], 12, "0"),
        ],
    ),
    ("rejected", [("SW-BI", ["Basic"], 40, "15")]),
    ("draft", [("HW-SRV", ["L", "Enterprise"], 1, "0"), ("SV-AUDIT", [], 1, "0")]),
    ("draft", [("TR-ADMIN", [], 2, "0"), ("TR-USER", [], 4, "0"), ("TR-ELEARN", [], 30, "20")]),
]


def _quotes(workspace, actor, products) -> int:
    if Quote.objects.exists():
        return 0
    deals = list(
        Deal.objects.filter(closed_at__isnull=True, stage__kind=StageKind.OPEN)
        .select_related("owner")
        .order_by("-amount", "id")[: len(QUOTE_PLAN)]
    )
    today = timezone.localdate()
    made = 0
    for deal, (status, lines) in zip(deals, QUOTE_PLAN, strict=False):
        rep = deal.owner or actor
        quote = quotes.quote_create(
            workspace=workspace,
            actor=rep,
            deal=deal,
            valid_until=today + datetime.timedelta(days=30),
            notes="Delivery within the lead times stated. Payment 30 days net.",
        )
        for sku, labels, quantity, discount in lines:
            product = catalog_selectors.product_with_options(
                workspace=workspace, pk=products[sku].pk
            )
            value_ids = [
                v.pk for o in product.options.all() for v in o.values.all() if v.label in labels
            ]
            quotes.quote_line_add(
                workspace=workspace,
                quote=quote,
                actor=rep,
                product=product,
                value_ids=value_ids,
                quantity=D(quantity),
                discount_percent=D(discount),
            )
        if status != "draft":
            quotes.quote_send(workspace=workspace, actor=rep, quote=quote)
        if status == "accepted":
            quotes.quote_accept(workspace=workspace, actor=rep, quote=quote, win_deal=True)
        elif status == "rejected":
            quotes.quote_reject(workspace=workspace, actor=rep, quote=quote)
        made += 1
    return made


def _quotas(workspace, actor, users) -> int:
    reps = [u for u in (users.get(Role.SALES), users.get(Role.OWNER)) if u is not None]
    this_month = month_key(timezone.localdate())
    made = 0
    for index, rep in enumerate(reps):
        base = D("30000") if index == 0 else D("20000")
        for offset in range(-9, 4):
            start = add_months(this_month, offset)
            if Quota.objects.filter(user=rep, period=QuotaPeriod.MONTH, start=start).exists():
                continue
            quotas.quota_set(
                workspace=workspace,
                actor=actor,
                user=rep,
                period=QuotaPeriod.MONTH,
                start=start,
                amount=base + D(2500) * (offset % 3),
            )
            made += 1
    return made


DEMO_LEGAL = {
    "legal_name": "Demo GmbH",
    "street": "Friedrichstraße 68",
    "postal_code": "10117",
    "city": "Berlin",
    "country": "Deutschland",
    "email": "vertrieb@demo.example",
    "phone": "+49 30 5557 1200",
    "website": "demo.example",
    "vat_id": "DE123456789",
    "registration": "Amtsgericht Charlottenburg HRB 123456 B",
    "managing_directors": "Olivia Owner",
    "bank_name": "Demo Bank Berlin",
    "iban": "DE89370400440532013000",
    "bic": "COBADEFFXXX",
    "payment_terms": "Payable within 14 days of the invoice date without deduction.",
    "quote_footer": "Thank you for your interest. Our general terms of business apply.",
}


def _legal_details(workspace, actor) -> None:
    """The demo company's legal details for its printed quotes (once: an edited demo keeps
    its own)."""
    if legal_details_get(workspace=workspace).pk is None:
        legal_details_update(workspace=workspace, actor=actor, **DEMO_LEGAL)
