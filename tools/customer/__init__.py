"""Customer accounts: profiles, addresses, loyalty and logged interactions."""
