"""Order pages: list, entry form, order page, review decisions, confirmation."""
