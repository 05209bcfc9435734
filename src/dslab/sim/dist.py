"""Distributions as small objects: ``sample(rng)``, ``mean()``, bounds, and a text form.

Every duration in dslab is in milliseconds, so ``exp(5)`` is an exponential with a 5 ms mean.
``parse("uniform(150,300)")`` turns the text a learner types into an object, and ``str()`` turns
it back, so parameters survive a round trip through the command line and JSON.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from dslab.errors import InputError
from dslab.wording import count

__all__ = [
    "Draws", "Dist", "Const", "Uniform", "Exp", "Normal", "LogNormal", "Pareto", "Mixture", "parse",
]


def _num(x: float) -> str:
    """Shortest text for a number: 10 rather than 10.0."""
    return str(int(x)) if float(x).is_integer() else repr(float(x))


class Dist:
    """A non-negative random quantity (a duration in ms, usually)."""

    def sample(self, rng: np.random.Generator) -> float:
        raise NotImplementedError

    def mean(self) -> float:
        raise NotImplementedError

    def var(self) -> float:
        raise NotImplementedError

    def low(self) -> float:
        """The smallest value a sample can take."""
        return 0.0

    def high(self) -> float:
        """The largest value a sample can take (``inf`` if unbounded)."""
        return math.inf

    def sample_n(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """``n`` samples at once (a queue draws thousands; one numpy call beats n Python calls)."""
        raise NotImplementedError

    def scaled(self, factor: float) -> Dist:
        """The same shape stretched by ``factor``: every sample, the mean and the spread scale."""
        raise NotImplementedError

    def cv2(self) -> float:
        """Squared coefficient of variation, var / mean^2: 1 for exponential, 0 for constant."""
        m = self.mean()
        return self.var() / (m * m) if m else 0.0


@dataclass(frozen=True)
class Const(Dist):
    value: float

    def sample(self, rng: np.random.Generator) -> float:
        return self.value

    def mean(self) -> float:
        return self.value

    def var(self) -> float:
        return 0.0

    def low(self) -> float:
        return self.value

    def high(self) -> float:
        return self.value

    def sample_n(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return np.full(n, float(self.value))

    def scaled(self, factor: float) -> Dist:
        return Const(self.value * factor)

    def __str__(self) -> str:
        return f"const({_num(self.value)})"


@dataclass(frozen=True)
class Uniform(Dist):
    a: float
    b: float

    def __post_init__(self) -> None:
        if not self.a <= self.b:
            raise InputError(f"uniform(a,b) needs a <= b, got uniform({self.a},{self.b}).")

    def sample(self, rng: np.random.Generator) -> float:
        return float(rng.uniform(self.a, self.b))

    def mean(self) -> float:
        return (self.a + self.b) / 2

    def var(self) -> float:
        return (self.b - self.a) ** 2 / 12

    def low(self) -> float:
        return self.a

    def high(self) -> float:
        return self.b

    def sample_n(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return rng.uniform(self.a, self.b, n)

    def scaled(self, factor: float) -> Dist:
        return Uniform(self.a * factor, self.b * factor)

    def __str__(self) -> str:
        return f"uniform({_num(self.a)},{_num(self.b)})"


@dataclass(frozen=True)
class Exp(Dist):
    """Exponential with the given mean (not rate): ``exp(5)`` averages 5 ms."""

    mean_value: float

    def __post_init__(self) -> None:
        if not self.mean_value > 0:
            raise InputError(f"exp(mean) needs a positive mean, got exp({self.mean_value}).")

    def sample(self, rng: np.random.Generator) -> float:
        return float(rng.exponential(self.mean_value))

    def mean(self) -> float:
        return self.mean_value

    def var(self) -> float:
        return self.mean_value**2

    def sample_n(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return rng.exponential(self.mean_value, n)

    def scaled(self, factor: float) -> Dist:
        return Exp(self.mean_value * factor)

    def __str__(self) -> str:
        return f"exp({_num(self.mean_value)})"


@dataclass(frozen=True)
class Normal(Dist):
    """Normal(mu, sigma) cut at zero: the rare negative draw is redrawn.

    A time cannot be negative, so a normal must keep nearly all of its weight above zero:
    ``mu >= 3 * sigma`` (at most 0.14% of draws fall below zero). The cut then moves the mean by
    at most sigma * phi(3) / Phi(3), about 0.0044 sigma or 0.15% of mu, so ``mean()`` can say
    ``mu`` and every formula that uses it stays right. A wider normal would be cut enough to
    change its mean (``normal(1,100)`` averages about 80 ms), so it is refused with a pointer to
    ``lognormal(mean,sd)``, which has the asked-for mean and spread and is never negative.
    """

    mu: float
    sigma: float

    #: how many standard deviations mu must lie above zero
    MIN_SIGMAS: ClassVar[float] = 3.0

    def __post_init__(self) -> None:
        if self.sigma < 0 or self.mu <= 0:
            raise InputError(
                f"normal(mu,sigma) needs mu > 0 and sigma >= 0, got normal({self.mu},{self.sigma})."
            )
        if self.mu < self.MIN_SIGMAS * self.sigma:
            below = 0.5 * math.erfc(self.mu / (self.sigma * math.sqrt(2)))  # P(X < 0)
            raise InputError(
                f"{self} would fall below 0 ms in {below:.1%} of draws, and a time cannot be "
                f"negative: keep mu at least {self.MIN_SIGMAS:g} times sigma (sigma at most "
                f"{self.mu / self.MIN_SIGMAS:.3g} here), or use lognormal({_num(self.mu)},"
                f"{_num(self.sigma)}), which has that mean and spread and is never negative."
            )

    def sample(self, rng: np.random.Generator) -> float:
        while True:
            x = float(rng.normal(self.mu, self.sigma))
            if x >= 0:
                return x

    def mean(self) -> float:
        # The cut at zero moves it by at most 0.15% of mu, since mu >= 3 sigma (see the class).
        return self.mu

    def var(self) -> float:
        return self.sigma**2

    def sample_n(self, rng: np.random.Generator, n: int) -> np.ndarray:
        x = rng.normal(self.mu, self.sigma, n)
        bad = x < 0
        while bad.any():  # redraw the negatives, as sample() does
            x[bad] = rng.normal(self.mu, self.sigma, int(bad.sum()))
            bad = x < 0
        return x

    def scaled(self, factor: float) -> Dist:
        return Normal(self.mu * factor, self.sigma * factor)

    def __str__(self) -> str:
        return f"normal({_num(self.mu)},{_num(self.sigma)})"


@dataclass(frozen=True)
class LogNormal(Dist):
    """Log-normal given by its own mean and standard deviation (in ms), not the log's."""

    m: float
    s: float

    def __post_init__(self) -> None:
        if self.m <= 0 or self.s < 0:
            raise InputError(
                f"lognormal(mean,sd) needs mean > 0 and sd >= 0, got lognormal({self.m},{self.s})."
            )

    def _log_params(self) -> tuple[float, float]:
        sigma2 = math.log1p((self.s / self.m) ** 2)
        return math.log(self.m) - sigma2 / 2, math.sqrt(sigma2)

    def sample(self, rng: np.random.Generator) -> float:
        mu, sigma = self._log_params()
        return float(rng.lognormal(mu, sigma))

    def mean(self) -> float:
        return self.m

    def var(self) -> float:
        return self.s**2

    def sample_n(self, rng: np.random.Generator, n: int) -> np.ndarray:
        mu, sigma = self._log_params()
        return rng.lognormal(mu, sigma, n)

    def scaled(self, factor: float) -> Dist:
        return LogNormal(self.m * factor, self.s * factor)

    def __str__(self) -> str:
        return f"lognormal({_num(self.m)},{_num(self.s)})"


@dataclass(frozen=True)
class Pareto(Dist):
    """Pareto with scale ``xm`` (the minimum) and shape ``alpha``: heavy-tailed durations."""

    xm: float
    alpha: float

    def __post_init__(self) -> None:
        if self.xm <= 0 or self.alpha <= 0:
            raise InputError(
                f"pareto(xm,alpha) needs xm > 0 and alpha > 0, got pareto({self.xm},{self.alpha})."
            )

    def sample(self, rng: np.random.Generator) -> float:
        return float(self.xm * (1.0 + rng.pareto(self.alpha)))

    def mean(self) -> float:
        return math.inf if self.alpha <= 1 else self.alpha * self.xm / (self.alpha - 1)

    def var(self) -> float:
        if self.alpha <= 2:
            return math.inf
        return self.xm**2 * self.alpha / ((self.alpha - 1) ** 2 * (self.alpha - 2))

    def low(self) -> float:
        return self.xm

    def sample_n(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return self.xm * (1.0 + rng.pareto(self.alpha, n))

    def scaled(self, factor: float) -> Dist:
        return Pareto(self.xm * factor, self.alpha)

    def __str__(self) -> str:
        return f"pareto({_num(self.xm)},{_num(self.alpha)})"


@dataclass(frozen=True)
class Mixture(Dist):
    """Pick a component with its weight, then sample it: ``mix(0.9:const(5),0.1:exp(100))``."""

    weights: tuple[float, ...]
    parts: tuple[Dist, ...]

    def __post_init__(self) -> None:
        if len(self.weights) != len(self.parts) or not self.parts:
            raise InputError("mix(...) needs one weight per component, as in mix(0.9:exp(5),0.1:exp(50)).")
        if any(w < 0 for w in self.weights) or not math.isclose(sum(self.weights), 1.0, abs_tol=1e-9):
            raise InputError(f"mix(...) weights must be non-negative and sum to 1, got {self.weights}.")

    def sample(self, rng: np.random.Generator) -> float:
        i = int(rng.choice(len(self.parts), p=self.weights))
        return self.parts[i].sample(rng)

    def _pairs(self) -> list[tuple[float, Dist]]:
        return list(zip(self.weights, self.parts, strict=True))

    def mean(self) -> float:
        return sum(w * d.mean() for w, d in self._pairs())

    def var(self) -> float:
        m = self.mean()
        return sum(w * (d.var() + d.mean() ** 2) for w, d in self._pairs()) - m * m

    def low(self) -> float:
        return min(d.low() for w, d in self._pairs() if w > 0)

    def high(self) -> float:
        return max(d.high() for w, d in self._pairs() if w > 0)

    def sample_n(self, rng: np.random.Generator, n: int) -> np.ndarray:
        which = rng.choice(len(self.parts), size=n, p=self.weights)
        out = np.empty(n)
        for i, part in enumerate(self.parts):
            picked = which == i
            out[picked] = part.sample_n(rng, int(picked.sum()))
        return out

    def scaled(self, factor: float) -> Dist:
        return Mixture(self.weights, tuple(d.scaled(factor) for d in self.parts))

    def __str__(self) -> str:
        return "mix(" + ",".join(f"{_num(w)}:{d}" for w, d in self._pairs()) + ")"


class Draws:
    """Samples of ``dist`` from ``rng``, drawn a block at a time: a run asks for thousands or
    millions, and one numpy call per block costs far less than one per sample (a numpy scalar
    costs about a microsecond; a sample from a block, a tenth of that).

    ``draws()`` gives the next sample; ``draws.next`` is the same without the Python call around
    it (a C iterator's ``__next__``: a hot loop binds it once); ``take(n)`` the next ``n`` as an
    array. Blocks start at ``first`` samples and double up to ``BLOCK``, so a short run with many
    consumers (a timer per server) does not draw thousands it never uses. Give each consumer its
    own stream: a block draws ahead, so a stream shared with anything else would shift it. On a
    stream of its own, the samples are those ``dist.sample(rng)`` would give one at a time, for
    every distribution but a mixture (it picks a block's components first) and a normal that
    redraws a negative (at the end of the block rather than at once).
    """

    BLOCK = 4096
    #: a first block for a consumer that may draw only dozens in a run (a server's timer)
    SMALL_FIRST = 64

    def __init__(self, dist: Dist, rng: np.random.Generator, first: int = BLOCK) -> None:
        self.dist, self.rng = dist, rng
        self._first = max(1, min(int(first), self.BLOCK))
        self._stream = itertools.chain.from_iterable(self._blocks())
        self.next: Callable[[], float] = self._stream.__next__

    def _blocks(self) -> Iterator[list[float]]:
        size = self._first
        while True:
            yield self.dist.sample_n(self.rng, size).tolist()
            size = min(2 * size, self.BLOCK)

    def __call__(self) -> float:
        return self.next()

    def take(self, n: int) -> np.ndarray:
        """The next ``n`` samples as one array: the values ``n`` calls would return, in order."""
        return np.fromiter(itertools.islice(self._stream, n), dtype=np.float64, count=n)



class Uniforms:
    """``uniform(low, high)`` as numpy's ``Generator.uniform`` gives it, read from blocks: numpy
    computes ``low + (high - low) * u`` from the stream's next double, and ``Draws`` hands out
    those doubles a block at a time, so on a stream of its own this returns the very numbers
    per-call ``rng.uniform`` would, for a fraction of the cost. Only ``uniform`` is offered: any
    other call would need draws this object has already taken."""

    def __init__(self, rng: np.random.Generator) -> None:
        self._next = Draws(Uniform(0.0, 1.0), rng, first=Draws.SMALL_FIRST).next

    def uniform(self, low: float = 0.0, high: float = 1.0) -> float:
        return low + (high - low) * self._next()

_FORMS = {
    "const": (Const, 1),
    "uniform": (Uniform, 2),
    "exp": (Exp, 1),
    "normal": (Normal, 2),
    "lognormal": (LogNormal, 2),
    "pareto": (Pareto, 2),
}
_EXAMPLES = ("const(10), uniform(30,40), exp(5), normal(10,2), lognormal(10,5), pareto(5,2.5), "
             "mix(0.9:exp(5),0.1:exp(50))")
_CALL = re.compile(r"^\s*([a-z]+)\s*\((.*)\)\s*$", re.S)


def _split_top(text: str) -> list[str]:
    """Split on commas that are not inside parentheses."""
    parts: list[str] = []
    cur: list[str] = []
    depth = 0
    for ch in text:
        if ch == "," and depth == 0:
            parts.append("".join(cur))
            cur = []
            continue
        depth += ch == "("
        depth -= ch == ")"
        cur.append(ch)
    parts.append("".join(cur))
    return [p.strip() for p in parts]


def parse(text: str | float | int | Dist) -> Dist:
    """Turn ``"uniform(150,300)"`` (or a bare number, meaning a constant) into a :class:`Dist`."""
    if isinstance(text, Dist):
        return text
    if isinstance(text, (int, float)):
        return Const(_float(str(text), str(text)))
    s = str(text).strip()
    try:
        float(s)
    except ValueError:
        pass
    else:  # a bare number means a constant (but not nan or inf)
        return Const(_float(s, s))
    m = _CALL.match(s)
    if not m:
        raise InputError(f"'{s}' is not a distribution; write one of {_EXAMPLES}.")
    name, inner = m.group(1), m.group(2)
    if name == "mix":
        weights, parts = [], []
        for item in _split_top(inner):
            w, sep, d = item.partition(":")
            if not sep:
                raise InputError(f"each mix(...) component is weight:dist, got '{item}'.")
            weights.append(_float(w, s))
            parts.append(parse(d))
        return Mixture(tuple(weights), tuple(parts))
    if name not in _FORMS:
        raise InputError(f"unknown distribution '{name}' in '{s}'; write one of {_EXAMPLES}.")
    cls, arity = _FORMS[name]
    args = [a for a in _split_top(inner) if a != ""]
    if len(args) != arity:
        raise InputError(f"{name}(...) takes {count(arity, 'number')}, got '{s}'.")
    return cls(*(_float(a, s) for a in args))


def _float(text: str, whole: str) -> float:
    try:
        x = float(text)
    except ValueError:
        raise InputError(f"'{text.strip()}' in '{whole}' is not a number.") from None
    if not math.isfinite(x):
        where = "" if text.strip() == whole else f" in '{whole}'"
        raise InputError(f"'{text.strip()}'{where} must be a finite number.")
    return x
