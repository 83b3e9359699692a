"""Shipping labels for thermal printers and screens: PNG drawn with Pillow and ZPL as plain text.

Both are 4x6 in at 203 dpi (812 x 1218 dots), the label most carriers print. The PNG's Code 128 bars come
from reportlab's own encoder (the one the PDF label uses), drawn with Pillow, so no system library (cairo)
is needed; a ZPL printer draws its barcode itself from the ^BC command.
"""

import io
import string
from functools import cache
from pathlib import Path

import reportlab
from PIL import Image, ImageDraw, ImageFont
from reportlab.graphics.barcode.code128 import Code128

from tools.documents.views import LabelView, address_lines

WIDTH, HEIGHT, MARGIN = 812, 1218, 40
# Bitstream Vera ships inside reportlab and covers accented Latin names (Pillow's built-in font does not).
VERA = Path(reportlab.__file__).parent / "fonts" / "Vera.ttf"


@cache
def _font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(VERA), size)


def code128_bars(value: str) -> list[tuple[bool, int]]:
    """The Code 128 symbol of `value` as (is_bar, width in modules) runs, start and stop codes included."""
    code = Code128(value)
    code.validate(), code.encode(), code.decompose()
    return [(c in string.ascii_uppercase, ord(c.upper()) - ord("A") + 1) for c in code.decomposed]


def _text(draw: ImageDraw.ImageDraw, y: int, lines: list[str], size: int) -> int:
    font = _font(size)
    for line in lines:
        draw.text((MARGIN, y), line, fill="black", font=font)
        y += int(size * 1.3)
    return y


def _barcode(draw: ImageDraw.ImageDraw, y: int, value: str, height: int) -> int:
    bars = code128_bars(value)
    module = max(1, (WIDTH - 2 * MARGIN) // sum(width for _, width in bars))
    x = (WIDTH - module * sum(width for _, width in bars)) // 2
    for is_bar, width in bars:
        if is_bar:
            draw.rectangle((x, y, x + module * width - 1, y + height), fill="black")
        x += module * width
    return y + height


def label_png(label: LabelView) -> bytes:
    """The label as a black-and-white PNG."""
    image = Image.new("1", (WIDTH, HEIGHT), 1)
    draw = ImageDraw.Draw(image)
    y = _text(draw, MARGIN, [label.carrier], 56) + 20
    y = _text(draw, y, ["FROM", *address_lines(label.sender)], 26) + 20
    draw.line((MARGIN, y, WIDTH - MARGIN, y), fill="black", width=3)
    y = _text(draw, y + 20, ["TO", *address_lines(label.recipient)], 36) + 20
    weight = f"  {label.weight_kg} kg" if label.weight_kg else ""
    y = _text(draw, y, [f"Order {label.order_id}{weight}"], 28) + 30
    y = _barcode(draw, y, label.tracking_number, 200) + 15
    _text(draw, y, [label.tracking_number], 36)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def zpl_field(text: str) -> str:
    """Field data safe inside ^FH^FD...^FS: the ^, ~ and _ characters written as _hex escapes."""
    return "".join(f"_{ord(c):02X}" if c in "^~_" else c for c in text)


def label_zpl(label: LabelView) -> str:
    """The label in ZPL II (^XA ... ^XZ), UTF-8 text (^CI28), with a Code 128 barcode (^BC)."""
    commands = ["^XA", "^CI28", "^PW812", "^LL1218"]
    y = 40

    def block(lines: list[str], size: int, gap: int = 10) -> None:
        nonlocal y
        for line in lines:
            commands.append(f"^FO40,{y}^A0N,{size},{size}^FH^FD{zpl_field(line)}^FS")
            y += size + 6
        y += gap

    block([label.carrier], 56, 20)
    block(["FROM", *address_lines(label.sender)], 26, 20)
    commands.append(f"^FO40,{y}^GB732,3,3^FS")
    y += 20
    block(["TO", *address_lines(label.recipient)], 36, 20)
    block([f"Order {label.order_id}" + (f"  {label.weight_kg} kg" if label.weight_kg else "")], 28, 30)
    commands.append(f"^FO60,{y}^BY3^BCN,200,Y,N,N^FH^FD{zpl_field(label.tracking_number)}^FS")
    commands.append("^XZ")
    return "\n".join(commands) + "\n"
