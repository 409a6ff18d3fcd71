"""Colours as other QDA tools write them, read into FieldScribe's ``#rrggbb``.

REFI-QDA asks for ``#RRGGBB`` (or ``#RGB``); tools and hand-made files also write lower case,
no ``#``, eight hex digits (an alpha channel, dropped), ``rgb(...)``/``rgba(...)`` and CSS colour
names (``teal``, ``Light Blue``).

Eight digits come in two orders: CSS writes ``#RRGGBBAA``, Qt's ``QColor.name(HexArgb)`` (and
Android, QML, .NET) ``#AARRGGBB``. Nothing in the value says which, so a file's eight-digit
colours are read together (``hex8_order``): code colours are opaque, so the byte that is ``ff``
in every one of them is the alpha. When that does not decide (one colour ``#ff0000ff``, or
translucent ones), the CSS order is taken: REFI-QDA's own form is CSS's ``#RRGGBB``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Literal

#: the order of an eight-digit hex colour
Hex8Order = Literal["rgba", "argb"]

_HEX = re.compile(r"(?:#|0x)?([0-9a-f]{3,8})")
_FUNC = re.compile(r"rgba?\((.*)\)")
_NUMBER = re.compile(r"(\d+(?:\.\d+)?|\.\d+)(%?)")

#: the CSS colour names (CSS Color Module Level 4), lower case without spaces
CSS_NAMES = {
    "aliceblue": "#f0f8ff",
    "antiquewhite": "#faebd7",
    "aqua": "#00ffff",
    "aquamarine": "#7fffd4",
    "azure": "#f0ffff",
    "beige": "#f5f5dc",
    "bisque": "#ffe4c4",
    "black": "#000000",
    "blanchedalmond": "#ffebcd",
    "blue": "#0000ff",
    "blueviolet": "#8a2be2",
    "brown": "#a52a2a",
    "burlywood": "#deb887",
    "cadetblue": "#5f9ea0",
    "chartreuse": "#7fff00",
    "chocolate": "#d2691e",
    "coral": "#ff7f50",
    "cornflowerblue": "#6495ed",
    "cornsilk": "#fff8dc",
    "crimson": "#dc143c",
    "cyan": "#00ffff",
    "darkblue": "#00008b",
    "darkcyan": "#008b8b",
    "darkgoldenrod": "#b8860b",
    "darkgray": "#a9a9a9",
    "darkgreen": "#006400",
    "darkgrey": "#a9a9a9",
    "darkkhaki": "#bdb76b",
    "darkmagenta": "#8b008b",
    "darkolivegreen": "#556b2f",
    "darkorange": "#ff8c00",
    "darkorchid": "#9932cc",
    "darkred": "#8b0000",
    "darksalmon": "#e9967a",
    "darkseagreen": "#8fbc8f",
    "darkslateblue": "#483d8b",
    "darkslategray": "#2f4f4f",
    "darkslategrey": "#2f4f4f",
    "darkturquoise": "#00ced1",
    "darkviolet": "#9400d3",
    "deeppink": "#ff1493",
    "deepskyblue": "#00bfff",
    "dimgray": "#696969",
    "dimgrey": "#696969",
    "dodgerblue": "#1e90ff",
    "firebrick": "#b22222",
    "floralwhite": "#fffaf0",
    "forestgreen": "#228b22",
    "fuchsia": "#ff00ff",
    "gainsboro": "#dcdcdc",
    "ghostwhite": "#f8f8ff",
    "gold": "#ffd700",
    "goldenrod": "#daa520",
    "gray": "#808080",
    "green": "#008000",
    "greenyellow": "#adff2f",
    "grey": "#808080",
    "honeydew": "#f0fff0",
    "hotpink": "#ff69b4",
    "indianred": "#cd5c5c",
    "indigo": "#4b0082",
    "ivory": "#fffff0",
    "khaki": "#f0e68c",
    "lavender": "#e6e6fa",
    "lavenderblush": "#fff0f5",
    "lawngreen": "#7cfc00",
    "lemonchiffon": "#fffacd",
    "lightblue": "#add8e6",
    "lightcoral": "#f08080",
    "lightcyan": "#e0ffff",
    "lightgoldenrodyellow": "#fafad2",
    "lightgray": "#d3d3d3",
    "lightgreen": "#90ee90",
    "lightgrey": "#d3d3d3",
    "lightpink": "#ffb6c1",
    "lightsalmon": "#ffa07a",
    "lightseagreen": "#20b2aa",
    "lightskyblue": "#87cefa",
    "lightslategray": "#778899",
    "lightslategrey": "#778899",
    "lightsteelblue": "#b0c4de",
    "lightyellow": "#ffffe0",
    "lime": "#00ff00",
    "limegreen": "#32cd32",
    "linen": "#faf0e6",
    "magenta": "#ff00ff",
    "maroon": "#800000",
    "mediumaquamarine": "#66cdaa",
    "mediumblue": "#0000cd",
    "mediumorchid": "#ba55d3",
    "mediumpurple": "#9370db",
    "mediumseagreen": "#3cb371",
    "mediumslateblue": "#7b68ee",
    "mediumspringgreen": "#00fa9a",
    "mediumturquoise": "#48d1cc",
    "mediumvioletred": "#c71585",
    "midnightblue": "#191970",
    "mintcream": "#f5fffa",
    "mistyrose": "#ffe4e1",
    "moccasin": "#ffe4b5",
    "navajowhite": "#ffdead",
    "navy": "#000080",
    "oldlace": "#fdf5e6",
    "olive": "#808000",
    "olivedrab": "#6b8e23",
    "orange": "#ffa500",
    "orangered": "#ff4500",
    "orchid": "#da70d6",
    "palegoldenrod": "#eee8aa",
    "palegreen": "#98fb98",
    "paleturquoise": "#afeeee",
    "palevioletred": "#db7093",
    "papayawhip": "#ffefd5",
    "peachpuff": "#ffdab9",
    "peru": "#cd853f",
    "pink": "#ffc0cb",
    "plum": "#dda0dd",
    "powderblue": "#b0e0e6",
    "purple": "#800080",
    "rebeccapurple": "#663399",
    "red": "#ff0000",
    "rosybrown": "#bc8f8f",
    "royalblue": "#4169e1",
    "saddlebrown": "#8b4513",
    "salmon": "#fa8072",
    "sandybrown": "#f4a460",
    "seagreen": "#2e8b57",
    "seashell": "#fff5ee",
    "sienna": "#a0522d",
    "silver": "#c0c0c0",
    "skyblue": "#87ceeb",
    "slateblue": "#6a5acd",
    "slategray": "#708090",
    "slategrey": "#708090",
    "snow": "#fffafa",
    "springgreen": "#00ff7f",
    "steelblue": "#4682b4",
    "tan": "#d2b48c",
    "teal": "#008080",
    "thistle": "#d8bfd8",
    "tomato": "#ff6347",
    "turquoise": "#40e0d0",
    "violet": "#ee82ee",
    "wheat": "#f5deb3",
    "white": "#ffffff",
    "whitesmoke": "#f5f5f5",
    "yellow": "#ffff00",
    "yellowgreen": "#9acd32",
}


def hex8_order(values: Iterable[str | None]) -> Hex8Order:
    """Which order a file's eight-digit hex colours are written in (see the module's text).

    Args:
        values: every colour of the file, as written (other forms are ignored).

    Returns:
        ``"argb"`` when every eight-digit colour starts with an opaque ``ff`` and at least one
        does not end with one (``#ff2e7d32``: Qt's ``HexArgb``), else ``"rgba"``.
    """
    digits = []
    for value in values:
        match = _HEX.fullmatch((value or "").strip().lower())
        if match and len(match.group(1)) == 8:
            digits.append(match.group(1))
    if not digits or all(d.endswith("ff") for d in digits):
        return "rgba"
    return "argb" if all(d.startswith("ff") for d in digits) else "rgba"


def read_colour(value: str | None, hex8: Hex8Order = "rgba") -> str | None:
    """Read a colour written in any of the forms above.

    Args:
        value: the colour as the file wrote it (``"#ABC"``, ``"rgb(0, 128, 255)"``, ``"teal"``).
        hex8: the order of eight hex digits (``hex8_order`` of the file's colours).

    Returns:
        ``#rrggbb`` in lower case (``read_colour("rgb(0, 128, 255)")`` is ``"#0080ff"``), or
        None when it cannot be read.
    """
    if value is None:
        return None
    text = value.strip().lower()
    hex_match = _HEX.fullmatch(text)
    if hex_match:
        digits = hex_match.group(1)
        if len(digits) in (3, 4):  # #rgb, #rgba
            return "#" + "".join(ch * 2 for ch in digits[:3])
        if len(digits) == 6 or (len(digits) == 8 and hex8 == "rgba"):  # #rrggbb(aa)
            return "#" + digits[:6]
        if len(digits) == 8:  # #aarrggbb
            return "#" + digits[2:]
    func = _FUNC.fullmatch(text)
    if func:
        # "255, 0, 0", "255 0 0 / 50%", "100%, 0%, 0%, 0.5": the first three are the colour
        parts = [p for p in re.split(r"[\s,/]+", func.group(1).strip()) if p]
        if len(parts) not in (3, 4):
            return None
        channels = []
        for part in parts[:3]:
            number = _NUMBER.fullmatch(part)
            if number is None:
                return None
            amount = float(number.group(1))
            level = int((amount * 255 / 100 if number.group(2) else amount) + 0.5)
            if not 0 <= level <= 255:
                return None
            channels.append(level)
        return "#" + "".join(f"{c:02x}" for c in channels)
    return CSS_NAMES.get(re.sub(r"[\s_-]+", "", text))
