"""Dates in customer messages: ISO (``2026-03-03``), relative (``today``, ``tomorrow``, ``in 3 days``,
``next friday``) and written (``March 3``, ``3rd of March 2026``).

Relative dates count from an injected day, so results are reproducible."""

from __future__ import annotations

import re
from datetime import date, timedelta

_MONTHS = {
    name: index
    for index, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
_WEEKDAYS = {
    name: index
    for index, names in enumerate(
        [
            ("monday", "mon"),
            ("tuesday", "tue", "tues"),
            ("wednesday", "wed"),
            ("thursday", "thu", "thurs"),
            ("friday", "fri"),
            ("saturday", "sat"),
            ("sunday", "sun"),
        ]
    )
    for name in names
}
_MONTH = "(" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_DAY = r"(\d{1,2})(?:st|nd|rd|th)?"
_YEAR = r"(?:,?\s+(\d{4}))?"
_ISO = re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b")
_MONTH_DAY = re.compile(rf"\b{_MONTH}\s+{_DAY}\b{_YEAR}", re.IGNORECASE)
_DAY_MONTH = re.compile(rf"\b{_DAY}\s+(?:of\s+)?{_MONTH}(?=\W|$){_YEAR}", re.IGNORECASE)
_RELATIVE = {"today": 0, "tonight": 0, "tomorrow": 1, "yesterday": -1}
_RELATIVE_WORD = re.compile(
    r"\b(day after tomorrow|day before yesterday|today|tonight|tomorrow|yesterday)\b", re.I
)
_IN_DAYS = re.compile(r"\bin\s+(\d{1,3})\s+days?\b", re.IGNORECASE)
_DAYS_AGO = re.compile(r"\b(\d{1,3})\s+days?\s+ago\b", re.IGNORECASE)
_WEEKDAY = re.compile(
    r"\b(next|this|last|on)?\s*(" + "|".join(sorted(_WEEKDAYS, key=len, reverse=True)) + r")\b", re.IGNORECASE
)


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def parse_date(text: str, *, today: date) -> date | None:
    """The first date mentioned in ``text``, or None."""
    if match := _ISO.search(text):
        return _safe_date(int(match[1]), int(match[2]), int(match[3]))
    if match := _MONTH_DAY.search(text):
        return _safe_date(int(match[3] or today.year), _MONTHS[match[1].lower()], int(match[2]))
    if match := _DAY_MONTH.search(text):
        return _safe_date(int(match[3] or today.year), _MONTHS[match[2].lower()], int(match[1]))
    if match := _RELATIVE_WORD.search(text):
        word = match[1].lower()
        offset = {"day after tomorrow": 2, "day before yesterday": -2}.get(word, _RELATIVE.get(word, 0))
        return today + timedelta(days=offset)
    if match := _IN_DAYS.search(text):
        return today + timedelta(days=int(match[1]))
    if match := _DAYS_AGO.search(text):
        return today - timedelta(days=int(match[1]))
    if match := _WEEKDAY.search(text):
        return _weekday(today, _WEEKDAYS[match[2].lower()], (match[1] or "").lower())
    return None


def _weekday(today: date, weekday: int, modifier: str) -> date:
    if modifier == "last":
        back = (today.weekday() - weekday) % 7 or 7
        return today - timedelta(days=back)
    ahead = (weekday - today.weekday()) % 7
    if modifier == "next" and ahead == 0:
        ahead = 7
    return today + timedelta(days=ahead)
