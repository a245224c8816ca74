#!/usr/bin/env python3
"""Writes the code points of the shipped font subset, as `pyftsubset --unicodes-file` input.

The set: ASCII, Latin-1, general punctuation (U+2000-206F), CJK symbols and punctuation
(U+3000-303F), half- and full-width forms (U+FF00-FFEF), every character of the
通用规范汉字表 (../data/tongyong-guifan-8105.txt) and every character of GB 2312.
Usage: python3 unicodes.py > unicodes.txt
"""
from pathlib import Path

here = Path(__file__).resolve().parent
table = (here.parent / "data" / "tongyong-guifan-8105.txt").read_text(encoding="utf-8").split()
assert len(table) == 8105 and len(set(table)) == 8105, "the 通用规范汉字表 has 8105 characters"

gb2312 = set()
for hi in range(0xA1, 0xF8):
    for lo in range(0xA1, 0xFF):
        try:
            gb2312.add(bytes([hi, lo]).decode("gb2312"))
        except UnicodeDecodeError:
            pass

points = {ord(c) for c in table} | {ord(c) for c in gb2312}
for first, last in [(0x20, 0x7E), (0xA0, 0xFF), (0x2000, 0x206F), (0x3000, 0x303F), (0xFF00, 0xFFEF)]:
    points |= set(range(first, last + 1))
print(",".join("U+%04X" % p for p in sorted(points)))
