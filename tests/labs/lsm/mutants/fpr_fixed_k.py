"""bloom_fpr uses the continuous optimum k = b ln 2 instead of the whole number of hashes the
filter really has, so the rate it predicts is not the filter's."""


from dslab.labs.lsm.rules import bloom_fpr, bloom_hashes, may_contain, merge_runs, pick_level, write_stall  # noqa: F401, E501


def bloom_fpr(bits_per_key):  # noqa: F811
    if bits_per_key <= 0:
        return 1.0
    return 0.6185 ** bits_per_key
