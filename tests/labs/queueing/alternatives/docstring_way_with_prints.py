"""A correct solution in another style: the recurrence the docstring suggests, written as a
learner first would, with a shortcut for one server, a search that starts from one server and
skips the pools that cannot keep up, and prints left in everywhere."""

import math


def littles_law(L=None, lambda_per_s=None, W_ms=None):
    known = {name: v for name, v in (("L", L), ("lambda", lambda_per_s), ("W", W_ms))
             if v is not None}
    print("known:", known)
    if len(known) != 2:
        raise ValueError("exactly one of the three must be None")
    if "L" not in known:
        return known["lambda"] * (known["W"] / 1000)
    if "lambda" not in known:
        return known["L"] / (known["W"] / 1000)
    return known["L"] / known["lambda"] * 1000


def erlang_c(servers, offered_load):
    print(f"erlang_c({servers}, {offered_load})")
    if offered_load / servers >= 1:
        raise ValueError("utilization at or above 1: no steady state")
    if servers == 1:
        return offered_load  # with one server the answer is simply rho
    b = 1
    k = 1
    while k <= servers:
        b = offered_load * b / (k + offered_load * b)
        k = k + 1
    rho = offered_load / servers
    return b / (1 - rho * (1 - b))


def servers_needed(rate_per_s, service_ms, max_wait_ms):
    lam = rate_per_s / 1000  # per ms
    mu = 1 / service_ms  # per ms
    a = lam / mu
    c = 1
    while True:
        if c > a:  # only a pool that keeps up has a mean wait at all
            wq = erlang_c(c, a) / (c * mu - lam)
            print(f"{c} servers: Wq = {wq:.3f} ms")
            if wq <= max_wait_ms:
                return c
            c += 1
        else:
            c = math.floor(a) + 1


def mm1_percentile(rate_per_s, service_ms, q):
    print("p", q * 100)
    if not 0 < q < 1:
        raise ValueError("q must be strictly between 0 and 1")
    lam, mu = rate_per_s / 1000, 1 / service_ms
    if lam >= mu:
        raise ValueError("unstable")
    return math.log(1 / (1 - q)) / (mu - lam)
