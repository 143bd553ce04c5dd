"""Price policy use cases: the quote, price lists and their prices, promotions."""

from .price_lists import create_price_list, remove_price, set_price, update_price_list
from .promotions import create_promotion, update_promotion
from .quote import Quote, QuoteLine, price_lines

__all__ = [
    "Quote",
    "QuoteLine",
    "create_price_list",
    "create_promotion",
    "price_lines",
    "remove_price",
    "set_price",
    "update_price_list",
    "update_promotion",
]
