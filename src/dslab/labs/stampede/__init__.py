"""The cache stampede lab: thundering herds on an expiring key, single-flight locks, XFetch, jittered TTLs."""
