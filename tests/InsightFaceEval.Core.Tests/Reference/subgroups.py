"""Independent numpy reference for subgroup differentials, written from docs/subgroups.md and metrics.md.

Usage: python3 subgroups.py <folder>, where the folder holds
  images.txt   identity group status f1 ... fD   (group '-' for none; status 1: a face, 0: no face)
  far.txt      the target FAR
Every pair of images with a face is compared (cosine); same identity is genuine. Prints JSON: the global threshold
(TAR@FAR rule on all impostor pairs), per group FNMR at it, within-group FMR, TAR at the group's own threshold, the
FMR matrix and the worst-to-best ratios.
"""
import json
import sys
from fractions import Fraction

import numpy as np


def kth_rule(imp, far):
    """The (k+1)-th highest impostor score, k = floor(far * n); the threshold lies just above it. None when k = 0."""
    n = len(imp)
    k = int(Fraction(repr(far)) * n)
    if k == 0:
        return None, k
    if k >= n:
        return -np.inf, k
    return np.sort(imp)[::-1][k], k


def main():
    folder = sys.argv[1]
    far = float(open(folder + "/far.txt").read())
    rows = [line.split() for line in open(folder + "/images.txt") if line.strip()]
    rows = [r for r in rows if r[2] == "1"]
    ident = [r[0] for r in rows]
    group = [r[1] for r in rows]
    x = np.array([[float(v) for v in r[3:]] for r in rows])
    x = x / np.linalg.norm(x, axis=1, keepdims=True)
    s = x @ x.T
    n = len(rows)
    iu = np.triu_indices(n, 1)
    scores = s[iu]
    same = np.array([ident[i] == ident[j] for i, j in zip(*iu)])
    ga = np.array([group[i] for i in iu[0]])
    gb = np.array([group[j] for j in iu[1]])
    cut, _ = kth_rule(scores[~same], far)
    names = sorted(set(g for g in group if g != "-"))
    out = {"threshold": float(cut), "groups": {}, "matrix": {}}
    for g in names:
        gen = scores[same & (ga == g) & (gb == g)]
        imp = scores[~same & (ga == g) & (gb == g)]
        own, k = kth_rule(imp, far)
        out["groups"][g] = {
            "genuine": int(len(gen)), "fnm": int(np.sum(gen <= cut)),
            "impostor": int(len(imp)), "fm": int(np.sum(imp > cut)),
            "ownSupported": own is not None,
            "ownTrueAccepts": None if own is None else int(np.sum(gen > own)),
            "ownThreshold": None if own is None else float(own),
        }
    for i, a in enumerate(names):
        for b in names[i:]:
            cell = ~same & (((ga == a) & (gb == b)) | ((ga == b) & (gb == a)))
            out["matrix"][a + "|" + b] = {"impostor": int(np.sum(cell)), "fm": int(np.sum(scores[cell] > cut))}
    fnmr = [v["fnm"] / v["genuine"] for v in out["groups"].values() if v["genuine"] > 0]
    fmr = [v["fm"] / v["impostor"] for v in out["groups"].values() if v["impostor"] > 0]
    out["fnmrRatio"] = max(fnmr) / min(fnmr) if len(fnmr) > 1 and min(fnmr) > 0 else None
    out["fmrRatio"] = max(fmr) / min(fmr) if len(fmr) > 1 and min(fmr) > 0 else None
    print(json.dumps(out))


main()
