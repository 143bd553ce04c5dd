"""Price policy pages: price lists (the list, the form, the editor with its prices, their
spreadsheet import and export), promotions (the list, the form, the page) and the prices
panel on the product page. Each view parses input, fetches through ``selectors``, calls one
service and renders; the rules are the services'."""

from .imports import export_prices, import_prices
from .panels import product_prices_panel
from .price_lists import (
    create_price_list,
    edit_price_list,
    price_list,
    price_list_list,
    remove_price,
    set_price,
)
from .promotions import create_promotion, edit_promotion, promotion, promotion_list

__all__ = [
    "create_price_list",
    "create_promotion",
    "edit_price_list",
    "edit_promotion",
    "export_prices",
    "import_prices",
    "price_list",
    "price_list_list",
    "product_prices_panel",
    "promotion",
    "promotion_list",
    "remove_price",
    "set_price",
]
