"""Numbers in sentences, said the same way by every lab's story and checks."""

from __future__ import annotations


def count(n: int, noun: str) -> str:
    """``count(1, "entry")`` -> "1 entry", ``count(3, "entry")`` -> "3 entries"."""
    if n == 1:
        return f"1 {noun}"
    if noun.endswith("y") and noun[-2:-1] not in "aeiou":
        plural = noun[:-1] + "ies"
    elif noun.endswith(("s", "x", "ch", "sh")):
        plural = noun + "es"
    else:
        plural = noun + "s"
    return f"{n:,} {plural}"


def ms(t: float) -> str:
    """A simulated time or duration: ``1,234 ms``."""
    return f"{t:,.0f} ms"
