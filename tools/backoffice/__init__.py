"""Administration: staff users and API keys, shop settings, sales reports, the dashboard and the approval queue."""
