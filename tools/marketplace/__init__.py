"""Sales channels: connections, channel orders, offers and listings, buyer messages."""
