"""orderdesk: sales order and customer information management."""
