"""Sizes as people read them in a reason: "2.5 MB", "2 MB", "300 kB"."""

from __future__ import annotations


def megabytes(size: int) -> str:
    """``size`` bytes in MB to one decimal (none when whole), or in kB below a tenth of a MB."""
    if size < 100_000:
        return f"{size / 1000:.0f} kB"
    return f"{size / 1_000_000:.1f}".removesuffix(".0") + " MB"


def sizes_apart(size: int, limit: int) -> tuple[str, str]:
    """``size`` and the ``limit`` it is over, as :func:`megabytes` shows them, or in bytes where it would show
    them the same: "2 MB; I take documents up to 2 MB" reads as if the document should have been taken."""
    shown = megabytes(size), megabytes(limit)
    return shown if shown[0] != shown[1] else (f"{size:,} bytes", f"{limit:,} bytes")
