#!/usr/bin/env python3
"""Generates the demo catalog's product illustrations (public/images/products/*.svg).

Each image is an original flat illustration: a motif per category, colours derived from
the product slug. Re-run after changing the seed catalog; the output is committed.
Usage: python3 scripts/gen-product-images.py  (reads slugs from src/services/seed.rs)
"""
import hashlib, pathlib, re

ROOT = pathlib.Path(__file__).resolve().parent.parent
SEED = (ROOT / "src/services/seed.rs").read_text()
OUT = ROOT / "public/images/products"

def slugify(name):
    name = name.replace("è", "e").replace("é", "e").replace("ê", "e")
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return slug

MOTIFS = {
    "coffee": '<path d="M120 80h160l20 60v150a20 20 0 0 1-20 20H120a20 20 0 0 1-20-20V140z" fill="{fg}"/><path d="M100 140h200" stroke="{bg2}" stroke-width="8"/><ellipse cx="200" cy="215" rx="34" ry="48" fill="{bg2}" transform="rotate(25 200 215)"/><path d="M186 175q28 40 0 80" stroke="{fg}" stroke-width="7" fill="none" transform="rotate(25 200 215)"/>',
    "tea": '<rect x="125" y="110" width="150" height="190" rx="18" fill="{fg}"/><rect x="115" y="90" width="170" height="36" rx="10" fill="{bg2}"/><path d="M200 160c45 10 60 60 20 100-40-15-55-60-20-100z" fill="{bg2}"/><path d="M205 175q5 40 10 80" stroke="{fg}" stroke-width="5" fill="none"/>',
    "mugs-cups": '<rect x="110" y="120" width="150" height="170" rx="22" fill="{fg}"/><path d="M260 160h25a35 35 0 0 1 0 70h-25" stroke="{fg}" stroke-width="20" fill="none"/><path d="M150 100q10-20 0-40M185 100q10-20 0-40M220 100q10-20 0-40" stroke="{bg2}" stroke-width="8" fill="none" stroke-linecap="round"/>',
    "brewing-gear": '<path d="M140 150h120l-25 130h-70z" fill="{fg}"/><path d="M260 170l60-40" stroke="{fg}" stroke-width="14" stroke-linecap="round"/><rect x="130" y="120" width="140" height="34" rx="10" fill="{bg2}"/><circle cx="200" cy="100" r="14" fill="{fg}"/><rect x="150" y="290" width="100" height="14" rx="6" fill="{bg2}"/>',
    "snacks": '<circle cx="200" cy="200" r="105" fill="{fg}"/><circle cx="165" cy="165" r="14" fill="{bg2}"/><circle cx="235" cy="180" r="12" fill="{bg2}"/><circle cx="190" cy="240" r="16" fill="{bg2}"/><circle cx="245" cy="245" r="10" fill="{bg2}"/><circle cx="150" cy="215" r="9" fill="{bg2}"/>',
    "apparel-gifts": '<rect x="110" y="150" width="180" height="150" rx="12" fill="{fg}"/><rect x="100" y="120" width="200" height="44" rx="10" fill="{bg2}"/><rect x="190" y="120" width="20" height="180" fill="{bg2}"/><path d="M200 120c-40-50-80-20-50 0zM200 120c40-50 80-20 50 0z" fill="{bg2}"/>',
}

count = 0
for cat_slug, body in re.findall(r'\("[^"]+", "([a-z-]+)", &\[(.*?)\]\),', SEED, re.S):
    for name in re.findall(r'\("([^"]+)", \d+, \d+,', body):
        slug = slugify(name)
        h = hashlib.sha256(slug.encode()).digest()
        hue = h[0] * 360 // 256
        bg1, bg2 = f"hsl({hue},45%,92%)", f"hsl({(hue + 25) % 360},40%,80%)"
        fg = f"hsl({(hue + 180) % 360},35%,{30 + h[1] % 20}%)"
        motif = MOTIFS[cat_slug].format(fg=fg, bg2=bg2)
        svg = (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 400 400" role="img" aria-label="{name}">'
               f'<defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="{bg1}"/>'
               f'<stop offset="1" stop-color="{bg2}"/></linearGradient></defs>'
               f'<rect width="400" height="400" fill="url(#g)"/>{motif}</svg>\n')
        (OUT / f"{slug}.svg").write_text(svg)
        count += 1
print(f"wrote {count} images to {OUT}")
