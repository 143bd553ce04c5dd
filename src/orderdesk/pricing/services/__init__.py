"""Price policy use cases: the quote, price lists and their prices, promotions."""

from .importing import PriceImportReport, import_prices
from .price_lists import create_price_list, remove_price, set_price, update_price_list
from .promotions import create_promotion, update_promotion
from .quote import Quote, QuoteLine, price_lines

__all__ = [
    "PriceImportReport",
    "Quote",
    "QuoteLine",
    "create_price_list",
    "create_promotion",
    "import_prices",
    "price_lines",
    "remove_price",
    "set_price",
    "update_price_list",
    "update_promotion",
]
