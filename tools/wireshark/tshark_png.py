"""Draws docs/wireshark-tshark.png: tshark's text view (-V -O raftudp) of the dissector's output
for one AppendRequest with entries and one StatusResponse, side by side, as tshark prints it.

Wireshark's GUI cannot run headless here, so the picture is tshark's text, not a screenshot.
The two datagrams are the test's crafted ones (test_dissector.build_cases). Needs tshark and
Pillow (Debian: python3-pil) with the DejaVu Sans Mono font (fonts-dejavu-core).
  /usr/bin/python3 tools/wireshark/tshark_png.py [OUT.png]
"""
import os
import sys
import tempfile

from PIL import Image, ImageDraw, ImageFont

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_dissector as T  # noqa: E402

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"
FONT_BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono-Bold.ttf"


def frames(names):
    cases = [c for c in T.build_cases() if c[1] in names]
    with tempfile.TemporaryDirectory() as tmp:
        pcap = os.path.join(tmp, "two.pcap")
        T.write_pcap(pcap, [(d, s, p) for _, _, d, s, p, _ in cases])
        text = T.tshark("-r", pcap, "-V", "-O", "raftudp")
    return [block.strip("\n").split("\n") for block in text.strip("\n").split("\n\n")]


def main(out):
    left, right = frames(("AppendRequest", "StatusResponse"))
    size = 13
    font, bold = ImageFont.truetype(FONT, size), ImageFont.truetype(FONT_BOLD, size)
    char_w = font.getbbox("M")[2]
    line_h = size + 4
    pad = 16
    title = "$ tshark -X lua_script:tools/wireshark/raftudp.lua -r FILE -V -O raftudp"
    cols = [left, right]
    widths = [max(len(l) for l in c) * char_w for c in cols]
    height = pad * 3 + line_h * (2 + max(len(c) for c in cols))
    width = pad * 3 + sum(widths)
    img = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(img)
    draw.text((pad, pad), title, font=bold, fill=(40, 40, 40))
    x = pad
    for col, w in zip(cols, widths):
        y = pad * 2 + line_h
        for line in col:
            raftudp = line.startswith("raftudp ")
            colour = (0, 0, 0) if line.startswith(" ") or raftudp else (110, 110, 110)
            if "Expert Info" in line:
                colour = (160, 90, 0)
            draw.text((x, y), line, font=bold if raftudp else font, fill=colour)
            y += line_h
        x += w + pad
        draw.line([(x - pad // 2, pad * 2 + line_h), (x - pad // 2, height - pad)], fill=(200, 200, 200))
    img.save(out, optimize=True)
    print("%s: %dx%d" % (out, width, height))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else os.path.join(T.ROOT, "docs", "wireshark-tshark.png"))
