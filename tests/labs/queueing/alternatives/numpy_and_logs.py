"""A correct solution in another style: numpy throughout (numpy floats where a float is asked,
which the docstrings allow), Erlang C from its defining sum taken in logarithms, and the pool
counted with numpy but returned as the int the docstring asks for."""

import numpy as np


def littles_law(L=None, lambda_per_s=None, W_ms=None):
    given = np.array([x is not None for x in (L, lambda_per_s, W_ms)])
    if given.sum() != 2:
        raise ValueError("exactly one of L, lambda_per_s and W_ms must be None")
    if L is None:
        return np.float64(lambda_per_s) * np.float64(W_ms) / np.float64(1000)
    if W_ms is None:
        return np.float64(L) / np.float64(lambda_per_s) * 1000
    return np.float64(L) * 1000 / np.float64(W_ms)


def erlang_c(servers, offered_load):
    c, a = int(servers), np.float64(offered_load)
    if a >= c:
        raise ValueError("the pool cannot carry that load")
    if a == 0:
        return np.float64(0.0)
    log_factorials = np.concatenate(([0.0], np.cumsum(np.log(np.arange(1, c + 1)))))  # log k!
    k = np.arange(c + 1)
    logs = k * np.log(a) - log_factorials
    logs[c] += np.log(c / (c - a))
    weights = np.exp(logs - logs.max())
    return weights[-1] / weights.sum()


def servers_needed(rate_per_s, service_ms, max_wait_ms):
    lam = np.float64(rate_per_s) / 1000  # per ms
    mu = 1 / np.float64(service_ms)  # per ms, per server
    a = lam / mu
    c = np.int64(np.floor(a)) + 1
    while a > 0 and erlang_c(int(c), a) / (c * mu - lam) > max_wait_ms:
        c += 1
    return int(c)


def mm1_percentile(rate_per_s, service_ms, q):
    if not (q > 0 and q < 1):
        raise ValueError("q must be strictly between 0 and 1")
    spare = 1 / np.float64(service_ms) - np.float64(rate_per_s) / 1000
    if spare <= 0:
        raise ValueError("unstable: the arrival rate reaches the service rate")
    return np.log(1 / (1 - np.float64(q))) / spare
