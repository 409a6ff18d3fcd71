"""Readable colours: the WCAG contrast ratio, and a selection colour that text can be read on.

Fusion's selection blue (``#308cc6``) under its white ``HighlightedText`` has a contrast of
3.6:1; WCAG 2.1 AA asks 4.5:1 for text. ``readable_palette`` darkens the highlight of the
palette the application starts with (its hue and saturation kept, so a selection still
looks like one) until its text reaches ``TEXT_CONTRAST``; a palette that passes already (a
dark theme, a platform's own) is left as it is. ``gui.app.configure`` applies it at start-up.
"""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette

#: WCAG 2.1 AA for normal text
TEXT_CONTRAST = 4.5
#: what ``readable_palette`` aims at: a little above AA, so rounding never lands below it
_AIM = 4.6
#: the groups a user reads a selection in (a disabled view's text is exempt in WCAG)
READ_GROUPS = (QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive)


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4


def luminance(colour: QColor) -> float:
    """WCAG relative luminance of an opaque colour (0 black .. 1 white)."""
    return (
        0.2126 * _channel(colour.red())
        + 0.7152 * _channel(colour.green())
        + 0.0722 * _channel(colour.blue())
    )


def contrast_ratio(a: QColor, b: QColor) -> float:
    """WCAG contrast ratio of two opaque colours, 1.0 .. 21.0 (order does not matter)."""
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def readable_on(background: QColor, text: QColor, aim: float = _AIM) -> QColor:
    """``background`` darkened (for light text) or lightened (for dark text) in HSV value,
    hue and saturation kept, until ``text`` on it reaches ``aim``; as it is when it does."""
    if contrast_ratio(background, text) >= aim:
        return QColor(background)
    darken = luminance(text) > luminance(background) or luminance(text) > 0.5
    h, s, v, a = background.hsvHue(), background.hsvSaturation(), background.value(), 255
    for step in range(256):
        value = max(0, v - step) if darken else min(255, v + step)
        candidate = QColor.fromHsv(h, s, value, a)
        if contrast_ratio(candidate, text) >= aim:
            return candidate
    return QColor("black") if darken else QColor("white")


def readable_palette(palette: QPalette) -> QPalette:
    """A copy of ``palette`` whose ``Highlight`` carries its ``HighlightedText`` at 4.5:1 or
    more (active and inactive windows)."""
    result = QPalette(palette)
    for group in READ_GROUPS:
        fill = palette.color(group, QPalette.ColorRole.Highlight)
        text = palette.color(group, QPalette.ColorRole.HighlightedText)
        result.setColor(group, QPalette.ColorRole.Highlight, readable_on(fill, text))
    return result


def over(under: QColor, colour: QColor, alpha: int) -> QColor:
    """``colour`` at ``alpha`` (0..255) painted over the opaque ``under``: what the eye sees."""
    a = alpha / 255
    return QColor(
        round(under.red() * (1 - a) + colour.red() * a),
        round(under.green() * (1 - a) + colour.green() * a),
        round(under.blue() * (1 - a) + colour.blue() * a),
    )


def ink_on(background: QColor) -> QColor:
    """Black or white, whichever reads better on ``background`` (one of them always reaches
    4.58:1)."""
    white, black = QColor("white"), QColor("black")
    return white if contrast_ratio(background, white) > contrast_ratio(background, black) else black


__all__ = [
    "TEXT_CONTRAST",
    "contrast_ratio",
    "ink_on",
    "luminance",
    "over",
    "readable_on",
    "readable_palette",
]
