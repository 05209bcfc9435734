"""The consistent-hashing lab: placement schemes, what moves on a membership change, a cache cluster."""
