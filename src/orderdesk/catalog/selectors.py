"""Reads for the catalog: who sees products, search, detail fetches, locks and history.

Every signed-in member of staff sees the whole catalog (sales quote from it, production and
the warehouse plan with it); customers' portal accounts and inactive users see none of it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from orderdesk.accounts.selectors import role_names
from orderdesk.core import audit, permissions
from orderdesk.core.errors import NotAllowed, NotFound
from orderdesk.core.models import AuditEntry
from orderdesk.core.spreadsheets import chunks

from .models import Category, Product

MANAGE = "catalog.manage_products"
PORTAL_GROUP = "customer"
# The last ASCII character after every one a SKU or pinyin key may hold ('z' < '{').
AFTER_KEY = "{"
# Keys per bulk lookup: under SQLite's limit of variables in one query.
LOOKUP_CHUNK = 500


def is_staff_member(user: Any) -> bool:
    """Signed in, active, and not only a customer's portal account."""
    if getattr(user, "is_system", False):
        return True
    if not (user and user.is_authenticated and user.is_active):
        return False
    return set(role_names(user)) != {PORTAL_GROUP}


def require_staff(user: Any) -> None:
    """Catalog, prices and stock are internal: refuse portal (customer) accounts."""
    if not is_staff_member(user):
        raise NotAllowed(_("This information is for staff members only."), code="permission_denied")


def products_visible_to(user: Any) -> QuerySet[Product]:
    products = Product.objects.select_related("category")
    return products if is_staff_member(user) else products.none()


def product_for(user: Any, product_id: int) -> Product:
    """One product the user may see; missing and hidden look the same (404)."""
    product = products_visible_to(user).filter(pk=product_id).first()
    if product is None:
        raise NotFound(_("No such product."), code="product_not_found")
    return product


def can_manage(user: Any) -> bool:
    return permissions.has(user, MANAGE)


def categories() -> QuerySet[Category]:
    return Category.objects.select_related("parent").order_by("code")


def categories_with_counts(user: Any) -> QuerySet[Category]:
    """The category list page and the API list: by code, each with ``product_count`` (all
    its products, inactive included); none for portal accounts."""
    rows = categories().annotate(product_count=Count("products"))
    return rows if is_staff_member(user) else rows.none()


def category_for(user: Any, category_id: int) -> Category:
    """One category for a member of staff (403 for a portal account); ``NotFound`` when
    missing. Carries ``product_count`` like the list."""
    require_staff(user)
    category = categories_with_counts(user).filter(pk=category_id).first()
    if category is None:
        raise NotFound(_("No such category."), code="category_not_found")
    return category


def lock_category(category_id: int) -> Category:
    return Category.objects.select_for_update().get(pk=category_id)


def ancestor_ids(category_id: int) -> list[int]:
    """The key of a category and those of the categories above it, nearest first (one query
    for the whole tree; a loop already stored stops the walk)."""
    parents = dict(Category.objects.values_list("pk", "parent_id"))
    chain: list[int] = []
    key: int | None = category_id
    while key is not None and key not in chain:
        chain.append(key)
        key = parents.get(key)
    return chain


def search(
    user: Any,
    *,
    q: str = "",
    category: Any = None,
    sales_kind: str = "",
    active: bool | None = None,
) -> QuerySet[Product]:
    """The list page and the API list start here; ordered by SKU."""
    products = products_visible_to(user)
    if q := (q or "").strip():
        products = products.filter(matches(q))
    if category not in (None, ""):
        if isinstance(category, Category):
            products = products.filter(category=category)
        elif str(category).isdigit():
            products = products.filter(category_id=int(category))
        else:
            products = products.filter(category__code=str(category))
    if sales_kind:
        products = products.filter(sales_kind=sales_kind)
    if active is not None:
        products = products.filter(is_active=active)
    return products.order_by("sku")


def matches(q: str) -> Q:
    """SKU (exact or prefix), name, spec or model, pinyin initials.

    Like ``customers.selectors.matches``, the query's shape picks the columns: SKU-like input
    looks up SKU and pinyin prefixes by range (so both SQLite and PostgreSQL use the
    indexes), and always in name, spec and model, where "M8" or "ABB" may appear.
    """
    condition = Q(name__icontains=q) | Q(spec__icontains=q) | Q(model_number__icontains=q)
    if " " not in q and q.isascii():
        sku = q.upper()
        condition |= Q(sku__gte=sku, sku__lt=sku + AFTER_KEY)
    if q.isascii() and q.replace(" ", "").isalnum():
        initials = q.replace(" ", "").lower()
        condition |= Q(pinyin__gte=initials, pinyin__lt=initials + AFTER_KEY)
    return condition


def products_by_sku(skus: Iterable[str], *, lock: bool = False) -> dict[str, Product]:
    """Products (with their category) by SKU, looked up in bulk for imports; SKUs are
    compared as stored, upper case. With ``lock``, the rows are locked for the caller's
    transaction, in key order like every product lock."""
    wanted = sorted({sku.strip().upper() for sku in skus if sku and sku.strip()})
    keys: list[int] = []
    for skus_chunk in chunks(wanted, LOOKUP_CHUNK):
        keys += Product.objects.filter(sku__in=skus_chunk).values_list("pk", flat=True)
    products = Product.objects.select_related("category").order_by("pk")
    if lock:
        products = products.select_for_update(of=("self",))
    found: dict[str, Product] = {}
    for keys_chunk in chunks(sorted(keys), LOOKUP_CHUNK):
        found |= {product.sku: product for product in products.filter(pk__in=keys_chunk)}
    return found


def lock_product(product_id: int) -> Product:
    return Product.objects.select_for_update().get(pk=product_id)


def history(obj: Product | Category, *, limit: int = 100) -> list[AuditEntry]:
    """The timeline of a product or a category, newest first."""
    return list(audit.entries_for(obj).order_by("-at", "-id")[:limit])
