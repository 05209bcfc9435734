"""The LSM lab's parameters (sizes in MB of 1,000,000 bytes, rates per second, times in ms) and the
checks that refuse impossible ones.

Sizes are scaled down about 256 times from a RocksDB default deployment so a run takes seconds:
a 64 MB memtable becomes 0.25 MB (2,500 entries of 100 bytes), L1's 256 MB target 1 MB, and the
pending-compaction limits of 64 GB and 256 GB become 64 MB and 256 MB. Counts (files in L0,
memtables, the size ratio) are not scaled, so the stall triggers keep RocksDB's values.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from dslab.errors import InputError
from dslab.params import param as _p

STRATEGIES = ("leveled", "tiered", "leveled-full")
MB = 1_000_000
MAX_WRITES = 2_000_000
MAX_LOOKUPS = 400_000
MAX_LEVELS = 7
_ZIPF = re.compile(r"zipf\(\s*([0-9.]+)\s*\)")


def distribution_skew(text: str) -> float | None:
    """The zipf exponent of ``zipf(s)``, 0.0 for ``uniform``, None for ``sequential``."""
    if text == "uniform":
        return 0.0
    if text == "sequential":
        return None
    m = _ZIPF.fullmatch(text.strip())
    if m is None:
        raise InputError(f"key_distribution must be uniform, sequential or zipf(s) with s > 0; got "
                         f"'{text}'.", hint="For example: --set key_distribution='zipf(0.99)'")
    return float(m.group(1))


@dataclass(frozen=True)
class LsmParams:
    """An LSM engine and the writes and lookups it serves."""

    strategy: str = _p("leveled", "compaction strategy: leveled, tiered or leveled-full")
    size_ratio: int = _p(10, "T: each level's target is T times the one above (leveled); T runs "
                         "of a tier merge into one (tiered)")
    memtable_mb: float = _p(0.25, "size of a memtable; a full one is sealed and flushed to L0")
    max_memtables: int = _p(2, "memtables in memory, the active one included; all full stops writes")
    level1_mb: float = _p(1.0, "target size of L1 (RocksDB's max_bytes_for_level_base)")
    file_mb: float = _p(0.25, "target size of one file in a level below L0")
    l0_compaction_trigger: int = _p(4, "L0 files that make L0 due for compaction")
    l0_slowdown_trigger: int = _p(20, "L0 files from which writes are slowed")
    l0_stop_trigger: int = _p(36, "L0 files from which writes stop")
    soft_pending_compaction_mb: float = _p(64.0, "pending compaction bytes from which writes slow")
    hard_pending_compaction_mb: float = _p(256.0, "pending compaction bytes from which writes stop")
    delayed_write_rate_mb_per_s: float = _p(2.0, "the write rate allowed while writes are slowed")
    flush_mb_per_s: float = _p(50.0, "how fast one flush writes a memtable out")
    compaction_mb_per_s: float = _p(100.0, "compaction's byte budget, shared equally by its jobs")
    compaction_jobs: int = _p(2, "compactions that may run at once")
    bloom_bits_per_key: float = _p(10.0, "bloom filter bits per key in each run (0: no filter)")
    keys: int = _p(80_000, "the key space: distinct keys the writes draw from")
    key_distribution: str = _p("uniform", "which keys writes pick: uniform, zipf(s) or sequential")
    entry_bytes: int = _p(100, "bytes of one entry (key, value and sequence number)")
    write_rate_mb_per_s: float = _p(4.0, "offered write load (writes arrive evenly spaced)")
    update_fraction: float = _p(0.0, "share of writes that overwrite a key already written")
    delete_fraction: float = _p(0.0, "share of writes that delete a key already written")
    written_mb: float = _p(30.0, "bytes the user writes in the whole run")
    lookups: int = _p(20_000, "point lookups, in ten batches spread over the run")
    absent_lookup_fraction: float = _p(0.5, "share of lookups for keys never written")

    def validate(self) -> None:
        """Raise InputError with one sentence if these values cannot describe an engine."""
        if self.strategy not in STRATEGIES:
            raise InputError(f"strategy must be one of {', '.join(STRATEGIES)}; got '{self.strategy}'.")
        if not 2 <= self.size_ratio <= 100:
            raise InputError(f"size_ratio must be between 2 and 100, got {self.size_ratio}: below 2 "
                             "a level is no bigger than the one above it.")
        for name in ("memtable_mb", "level1_mb", "file_mb", "flush_mb_per_s", "compaction_mb_per_s",
                     "delayed_write_rate_mb_per_s", "write_rate_mb_per_s", "written_mb"):
            if not getattr(self, name) > 0:
                raise InputError(f"{name} must be positive, got {getattr(self, name):g}.")
        if not 2 <= self.max_memtables <= 16:
            raise InputError(f"max_memtables must be between 2 and 16, got {self.max_memtables}.")
        if not 1 <= self.compaction_jobs <= 16:
            raise InputError(f"compaction_jobs must be between 1 and 16, got {self.compaction_jobs}.")
        if not 1 <= self.l0_compaction_trigger < self.l0_slowdown_trigger < self.l0_stop_trigger:
            raise InputError(
                "The L0 triggers must grow: 1 <= l0_compaction_trigger < l0_slowdown_trigger < "
                f"l0_stop_trigger, got {self.l0_compaction_trigger}, {self.l0_slowdown_trigger} and "
                f"{self.l0_stop_trigger}.")
        if not 0 < self.soft_pending_compaction_mb < self.hard_pending_compaction_mb:
            raise InputError("soft_pending_compaction_mb must be positive and below "
                             f"hard_pending_compaction_mb, got {self.soft_pending_compaction_mb:g} "
                             f"and {self.hard_pending_compaction_mb:g}.")
        if not 0 <= self.bloom_bits_per_key <= 64:
            raise InputError(f"bloom_bits_per_key must be between 0 and 64, got "
                             f"{self.bloom_bits_per_key:g}.")
        if not 16 <= self.entry_bytes <= 100_000:
            raise InputError(f"entry_bytes must be between 16 and 100000, got {self.entry_bytes}.")
        if not 10 <= self.keys <= 2_000_000:
            raise InputError(f"keys must be between 10 and 2,000,000, got {self.keys}.")
        distribution_skew(self.key_distribution)
        for name in ("update_fraction", "delete_fraction", "absent_lookup_fraction"):
            if not 0 <= getattr(self, name) <= 1:
                raise InputError(f"{name} is a fraction, so between 0 and 1; got "
                                 f"{getattr(self, name):g}.")
        if self.update_fraction + self.delete_fraction > 1:
            raise InputError("update_fraction + delete_fraction must be at most 1, got "
                             f"{self.update_fraction + self.delete_fraction:g}.")
        if self.memtable_entries() < 4:
            raise InputError(f"memtable_mb ({self.memtable_mb:g}) holds fewer than 4 entries of "
                             f"{self.entry_bytes} bytes; make it larger.")
        if self.file_mb < self.entry_bytes / MB * 4:
            raise InputError(f"file_mb ({self.file_mb:g}) holds fewer than 4 entries; make it larger.")
        if not 1 <= self.writes() <= MAX_WRITES:
            raise InputError(f"written_mb / entry_bytes makes {self.writes():,} writes, and a run "
                             f"takes between 1 and {MAX_WRITES:,}; change written_mb.")
        if not 0 <= self.lookups <= MAX_LOOKUPS:
            raise InputError(f"lookups must be between 0 and {MAX_LOOKUPS:,}, got {self.lookups}.")

    def writes(self) -> int:
        """How many writes the run makes."""
        return int(round(self.written_mb * MB / self.entry_bytes))

    def memtable_entries(self) -> int:
        """Writes one memtable takes before it is full."""
        return int(self.memtable_mb * MB // self.entry_bytes)

    def file_entries(self) -> int:
        """Entries in one file of a level below L0."""
        return max(1, int(self.file_mb * MB // self.entry_bytes))


@dataclass(frozen=True)
class CompareParams(LsmParams):
    """The compare experiment: the same writes through every strategy, side by side."""


@dataclass(frozen=True)
class BloomParams(LsmParams):
    """The bloom experiment: the engine's runs after the writes, probed with absent keys under
    filters of 0 to ``max_bits_per_key`` bits per key."""

    absent_lookups: int = _p(100_000, "absent-key lookups per bits-per-key point")
    max_bits_per_key: int = _p(16, "the sweep runs bits per key from 0 to this")

    def validate(self) -> None:
        super().validate()
        if not 1_000 <= self.absent_lookups <= MAX_LOOKUPS:
            raise InputError(f"absent_lookups must be between 1,000 and {MAX_LOOKUPS:,}, got "
                             f"{self.absent_lookups}.")
        if not 1 <= self.max_bits_per_key <= 32:
            raise InputError(f"max_bits_per_key must be between 1 and 32, got {self.max_bits_per_key}.")
