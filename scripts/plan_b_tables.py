"""Tables of README's "What Plan B buys" from the sweeps of scripts/what-plan-b-buys.sh."""
import csv, json, math, sys
out = sys.argv[1]

def wilson(k, n, z=1.96):
    p = k / n
    d = 1 + z * z / n
    c = (p + z * z / (2 * n)) / d
    h = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / d
    return max(0.0, c - h), min(1.0, c + h)

groups = {
    "P(deal) = deal_restored + interim_deal": ["deal_restored", "interim_deal"],
    "P(strike) = limited_strike + regional_war": ["limited_strike", "regional_war"],
    "P(breakout)": ["iran_breakout"],
}
rows = list(csv.DictReader(open(f"{out}/grid/points.csv")))
depths = sorted({float(r["relief_depth"]) for r in rows})
squeezes = sorted({float(r["oil_squeeze"]) for r in rows})
for title, cols in groups.items():
    print(f"\n{title} (rows: relief_depth, columns: oil_squeeze)\n")
    print("| relief_depth \\ oil_squeeze | " + " | ".join(f"{s:g}" for s in squeezes) + " |")
    print("|---" * (len(squeezes) + 1) + "|")
    for d in depths:
        cells = []
        for s in squeezes:
            r = next(r for r in rows if float(r["relief_depth"]) == d and float(r["oil_squeeze"]) == s)
            n = int(r["runs"])
            k = sum(int(r[f"{c}_count"]) for c in cols)
            lo, hi = wilson(k, n)
            cells.append(f"{100*k/n:.1f}% [{100*lo:.1f}, {100*hi:.1f}]")
        print(f"| {d:g} | " + " | ".join(cells) + " |")

try:
    sens = json.load(open(f"{out}/sobol/summary.json"))["sensitivity"]
except FileNotFoundError:
    sys.exit(0)
outs = [o for o in ["deal_restored", "interim_deal", "limited_strike", "regional_war",
                    "iran_breakout", "stalemate_under_sanctions"] if o in sens]
print("\nSobol total indices ST ± 95% bootstrap half-width (rows: parameters, columns: outcomes)\n")
print("| parameter | " + " | ".join(outs) + " |")
print("|---" * (len(outs) + 1) + "|")
names = [x["name"] for x in sens[outs[0]]]
for k, name in enumerate(names):
    cells = []
    for o in outs:
        x = sens[o][k]
        cells.append(f"{x['st']:.2f} ± {x['st_conf']:.2f}")
    print(f"| `{name}` | " + " | ".join(cells) + " |")
