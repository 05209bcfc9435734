"""A correct solution in another style: exact fractions for Little's Law, Erlang C summed term by
term (each term from the last, never a power or a factorial), the pool found by doubling then
bisecting instead of counting up one by one, the percentile from the mean, and chatty prints."""

import math
from fractions import Fraction


def littles_law(L=None, lambda_per_s=None, W_ms=None):
    print(f"littles_law(L={L}, lambda_per_s={lambda_per_s}, W_ms={W_ms})")
    unknowns = sum(x is None for x in (L, lambda_per_s, W_ms))
    if unknowns != 1:
        raise ValueError(f"{unknowns} unknowns: give exactly two of the three")
    ms_per_s = Fraction(1000)
    if L is None:
        return float(Fraction(lambda_per_s) * Fraction(W_ms) / ms_per_s)
    if lambda_per_s is None:
        return float(Fraction(L) * ms_per_s / Fraction(W_ms))
    return float(Fraction(L) * ms_per_s / Fraction(lambda_per_s))


def erlang_c(servers, offered_load):
    a, c = offered_load, servers
    if not a < c:
        raise ValueError(f"{a} Erlangs need more than {c} servers")
    # 1/B(c) = sum_{k<=c} c! / (k! a^(c-k)): terms from k = c down, each from the one before
    term, inverse_b = 1.0, 1.0
    for k in range(c, 0, -1):
        term *= k / a if a else math.inf
        inverse_b += term
        if math.isinf(inverse_b):
            return 0.0
    b = 1 / inverse_b
    rho = a / c
    return b / (1 - rho + rho * b)


def _wait_ms(c, rate_per_s, service_ms):
    a = rate_per_s * service_ms / 1000
    return 0.0 if a == 0 else erlang_c(c, a) * service_ms / (c - a)


def servers_needed(rate_per_s, service_ms, max_wait_ms):
    low = math.floor(rate_per_s * service_ms / 1000) + 1  # the fewest that keep up
    if _wait_ms(low, rate_per_s, service_ms) <= max_wait_ms:
        return low
    step = 1
    while _wait_ms(low + step, rate_per_s, service_ms) > max_wait_ms:  # low fails: find one
        low, step = low + step, step * 2                                 # that passes
    high = low + step
    while high - low > 1:  # low fails, high passes
        mid = (low + high) // 2
        if _wait_ms(mid, rate_per_s, service_ms) <= max_wait_ms:
            high = mid
        else:
            low = mid
    print(f"{high} servers for {rate_per_s}/s x {service_ms} ms within {max_wait_ms} ms")
    return high


def mm1_percentile(rate_per_s, service_ms, q):
    if q <= 0 or q >= 1:
        raise ValueError("q is a fraction in (0, 1)")
    if rate_per_s * service_ms >= 1000:
        raise ValueError("the queue is unstable")
    mean_ms = service_ms / (1 - rate_per_s * service_ms / 1000)
    return mean_ms * -math.log(1 - q)
