#!/usr/bin/env python3
"""Draws the recipe study's JSON lines (from study.sh, simulate-offline or replay) as SVG, with no plotting library.

    tools/learning/plot.py OUT.svg DATA.jsonl... [--title T] [--frontier FRONTIER.jsonl]

Two panels: the expected thumbs-up rate against pairs trained (95 % interval bars) and the KL against pairs, one line
per label (or per recipe, when labels repeat); plus the reward-KL frontier (thumbs-up against KL, every evaluation),
with the base model's own frontier from `livedpo frontier` drawn dashed under it when given.
"""
import json
import sys

W, H, PAD = 360, 260, 46
COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf", "#bcbd22",
          "#7f7f7f", "#393b79", "#e7ba52"]


def load(paths):
    series = {}
    for path in paths:
        with open(path) as f:
            for line in f:
                if line.strip():
                    row = json.loads(line)
                    key = row.get("label") or path
                    if row.get("seed") is not None and len(paths) == 1:
                        key = f"{key} seed {row['seed']}"
                    series.setdefault(key, []).append(row)
    return series


def panel(x0, title, series, fx, fy, fci, xmax, ymax, xlabel, ylabel, ymin=0.0, lines=True, guides=()):
    out = [f'<g transform="translate({x0},0)">',
           f'<text x="{W / 2}" y="16" text-anchor="middle" font-size="13">{title}</text>',
           f'<line x1="{PAD}" y1="{H - PAD}" x2="{W - 10}" y2="{H - PAD}" stroke="#000"/>',
           f'<line x1="{PAD}" y1="30" x2="{PAD}" y2="{H - PAD}" stroke="#000"/>',
           f'<text x="{(W + PAD) / 2}" y="{H - 10}" text-anchor="middle" font-size="11">{xlabel}</text>',
           f'<text x="12" y="{H / 2}" text-anchor="middle" font-size="11" '
           f'transform="rotate(-90 12 {H / 2})">{ylabel}</text>']

    def px(x):
        return PAD + (W - 10 - PAD) * x / xmax

    def py(y):
        return H - PAD - (H - PAD - 30) * (y - ymin) / (ymax - ymin)

    for i in range(5):
        yv = ymin + (ymax - ymin) * i / 4
        xv = xmax * i / 4
        out.append(f'<text x="{PAD - 4}" y="{py(yv) + 4:.1f}" text-anchor="end" font-size="10">{yv:.2f}</text>')
        out.append(f'<text x="{px(xv):.1f}" y="{H - PAD + 14}" text-anchor="middle" font-size="10">'
                   f'{xv:.0f}</text>' if xmax > 10 else
                   f'<text x="{px(xv):.1f}" y="{H - PAD + 14}" text-anchor="middle" font-size="10">{xv:.1f}</text>')
    for name, points, color in guides:
        pts = [f"{px(x):.1f},{py(y):.1f}" for x, y in points if x <= xmax]
        out.append(f'<polyline fill="none" stroke="{color}" stroke-width="1.5" stroke-dasharray="5,3" '
                   f'points="{" ".join(pts)}"><title>{name}</title></polyline>')
    for n, (name, rows) in enumerate(series.items()):
        c = COLORS[n % len(COLORS)]
        pts = []
        for r in rows:
            x, y = fx(r), fy(r)
            if x is None or y is None:
                continue
            pts.append(f"{px(x):.1f},{py(y):.1f}")
            ci = fci(r) if fci else None
            if ci:
                out.append(f'<line x1="{px(x):.1f}" y1="{py(y - ci):.1f}" x2="{px(x):.1f}" y2="{py(y + ci):.1f}" '
                           f'stroke="{c}" stroke-opacity="0.5" stroke-width="4"/>')
            out.append(f'<circle cx="{px(x):.1f}" cy="{py(y):.1f}" r="2.5" fill="{c}"/>')
        if lines and len(pts) > 1:
            out.append(f'<polyline fill="none" stroke="{c}" stroke-width="1.5" points="{" ".join(pts)}"/>')
    out.append('</g>')
    return out


def main(argv):
    title = ""
    if "--title" in argv:
        i = argv.index("--title")
        title = argv[i + 1]
        argv = argv[:i] + argv[i + 2:]
    frontier = []
    if "--frontier" in argv:
        i = argv.index("--frontier")
        with open(argv[i + 1]) as f:
            points = [json.loads(line) for line in f if line.strip()]
        argv = argv[:i] + argv[i + 2:]
        for kind, color in (("best-of", "#777"), ("tilted", "#000")):
            frontier.append((kind, sorted((p["kl"], p["thumbs_up"]) for p in points if p["kind"] == kind), color))
    out_path, paths = argv[0], argv[1:]
    series = load(paths)
    rows = [r for rs in series.values() for r in rs]
    xmax = max(r["pairs"] for r in rows) or 1
    klmax = max(max(r["kl"] + r.get("kl_ci95", 0) for r in rows), 0.5)
    legend = len(series) + (1 if frontier else 0)
    svg = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{3 * W}" height="{H + 20 + 18 * legend}" '
           f'font-family="sans-serif">', f'<title>{title}</title>']
    svg += panel(0, "thumbs-up rate (95 % interval)", series, lambda r: r["pairs"], lambda r: r["thumbs_up"],
                 lambda r: r.get("thumbs_up_ci95"), xmax, 1.0, "pairs trained", "thumbs-up")
    svg += panel(W, "KL(policy ‖ reference), nats", series, lambda r: r["pairs"], lambda r: r["kl"],
                 lambda r: r.get("kl_ci95"), xmax, klmax, "pairs trained", "KL")
    svg += panel(2 * W, "reward–KL frontier", series, lambda r: r["kl"], lambda r: r["thumbs_up"],
                 lambda r: r.get("thumbs_up_ci95"), klmax, 1.0, "KL (nats)", "thumbs-up", guides=frontier)
    for n, name in enumerate(series):
        y = H + 14 + 18 * n
        svg.append(f'<rect x="{PAD}" y="{y - 9}" width="12" height="10" fill="{COLORS[n % len(COLORS)]}"/>'
                   f'<text x="{PAD + 18}" y="{y}" font-size="12">{name}</text>')
    if frontier:
        y = H + 14 + 18 * len(series)
        svg.append(f'<text x="{PAD}" y="{y}" font-size="12">dashed, right panel: the base\'s frontier from '
                   f'`livedpo frontier` (grey: best-of-m, black: the KL-optimal policy π_ref·e^(r/β))</text>')
    svg.append("</svg>")
    with open(out_path, "w") as f:
        f.write("\n".join(svg) + "\n")


if __name__ == "__main__":
    main(sys.argv[1:])
