"""Sizes as people read them in a reason: "2.5 MB", "2 MB", "300 kB"."""

from __future__ import annotations


def megabytes(size: int) -> str:
    """``size`` bytes in MB to one decimal (none when whole), or in kB below a tenth of a MB."""
    if size < 100_000:
        return f"{size / 1000:.0f} kB"
    return f"{size / 1_000_000:.1f}".removesuffix(".0") + " MB"
