"""Domain events: the topic catalogue, handlers, the dispatcher, the broker relay and the staff tools."""
