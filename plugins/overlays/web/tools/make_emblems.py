#!/usr/bin/env python3
"""Writes the rank emblems (assets/emblems/tier-<id>.svg), the project's own artwork.

One shape per rank family, coloured per family; the division (1-3) is drawn as chevrons under the
gem. Tiers 0-2 share the Unranked emblem (tier-0.svg). Run it after changing the artwork and commit
the output; the build only copies and fingerprints the files.
"""
import os

FAMILIES = [  # (first tier, name, light, dark)
    (3, "Iron", "#9aa0a6", "#4a4f55"),
    (6, "Bronze", "#d59a5b", "#7a4a22"),
    (9, "Silver", "#e3e8ee", "#8a95a3"),
    (12, "Gold", "#ffd56a", "#b3811c"),
    (15, "Platinum", "#6fe3e8", "#1f7f8f"),
    (18, "Diamond", "#d59bff", "#6a3ab8"),
    (21, "Ascendant", "#6ef0a0", "#1a8a4c"),
    (24, "Immortal", "#ff6b81", "#8e1b3a"),
]

SHAPES = {  # gem outlines on a 64x64 box, each family a little more elaborate
    "Iron": "M32 6 L52 18 L52 40 L32 52 L12 40 L12 18 Z",
    "Bronze": "M32 5 L54 17 L50 42 L32 54 L14 42 L10 17 Z",
    "Silver": "M32 4 L50 12 L56 30 L44 50 L32 56 L20 50 L8 30 L14 12 Z",
    "Gold": "M32 3 L46 10 L57 24 L52 44 L32 57 L12 44 L7 24 L18 10 Z",
    "Platinum": "M32 3 L56 20 L48 50 L32 58 L16 50 L8 20 Z",
    "Diamond": "M32 2 L58 24 L32 60 L6 24 Z",
    "Ascendant": "M32 2 L44 14 L60 16 L50 32 L54 50 L32 44 L10 50 L14 32 L4 16 L20 14 Z",
    "Immortal": "M32 2 L40 16 L58 10 L50 28 L60 40 L40 42 L32 60 L24 42 L4 40 L14 28 L6 10 L24 16 Z",
}


def svg(body, light, dark, gid):
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64" width="64" height="64">'
        f'<defs><linearGradient id="{gid}" x1="0" y1="0" x2="0" y2="1">'
        f'<stop offset="0" stop-color="{light}"/><stop offset="1" stop-color="{dark}"/>'
        "</linearGradient></defs>" + body + "</svg>\n"
    )


def chevrons(n, color):
    """Division marks: n small bars across the gem's lower half."""
    out = []
    width = 6
    gap = 3
    total = n * width + (n - 1) * gap
    x0 = 32 - total / 2
    for i in range(n):
        x = x0 + i * (width + gap)
        out.append(f'<rect x="{x:.1f}" y="36" width="{width}" height="8" rx="1.5" fill="{color}"/>')
    return "".join(out)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    outdir = os.path.join(here, "..", "assets", "emblems")
    os.makedirs(outdir, exist_ok=True)
    files = {}
    files[0] = svg(
        '<circle cx="32" cy="32" r="24" fill="none" stroke="#8b8f99" stroke-width="4" stroke-dasharray="6 5"/>'
        '<path d="M24 32 H40" stroke="#8b8f99" stroke-width="4" stroke-linecap="round"/>',
        "#8b8f99", "#8b8f99", "u")
    for first, name, light, dark in FAMILIES:
        for div in range(3):
            gid = f"g{first + div}"
            body = (
                f'<path d="{SHAPES[name]}" fill="url(#{gid})" stroke="{dark}" stroke-width="2" '
                'stroke-linejoin="round"/>'
                f'<path d="M32 12 L42 24 L32 32 L22 24 Z" fill="#ffffff" fill-opacity="0.35"/>'
                + chevrons(div + 1, "#ffffff")
            )
            files[first + div] = svg(body, light, dark, gid)
    files[27] = svg(
        '<path d="M32 2 L38 20 L58 14 L44 30 L60 44 L40 42 L32 62 L24 42 L4 44 L20 30 L6 14 L26 20 Z" '
        'fill="url(#g27)" stroke="#b38600" stroke-width="2" stroke-linejoin="round"/>'
        '<circle cx="32" cy="32" r="8" fill="#fffbe0"/>',
        "#fff3a8", "#f0a500", "g27")
    for tier, text in files.items():
        with open(os.path.join(outdir, f"tier-{tier}.svg"), "w", encoding="utf-8") as f:
            f.write(text)


if __name__ == "__main__":
    main()
