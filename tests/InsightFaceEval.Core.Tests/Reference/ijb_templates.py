"""Independent numpy reference for set-to-set (template) verification, written from docs/templates.md and metrics.md.

Usage: python3 ijb_templates.py <folder>, where the folder holds
  face_tid_mid.txt          image template media          (IJB-B/C layout, space separated)
  features.txt              image status f1 f2 ... fD      (status 1: a face, 0: no face; the image's feature)
  subjects.txt              template identity              (for "all template pairs from identities")
  template_pair_label.txt   template1 template2 label      (IJB-B/C layout)
  aggregation.txt           MediaThenTemplate or Mean
Prints JSON: the template features, and for the pair list and for all template pairs, the completed-pair and
system-level TAR@FAR, EER and AUC.
"""
import json
import sys
from fractions import Fraction

import numpy as np


def read_rows(path):
    with open(path) as f:
        return [line.split() for line in f if line.strip()]


def template_features(folder, aggregation):
    rows = read_rows(folder + "/face_tid_mid.txt")
    feats = {}
    for r in read_rows(folder + "/features.txt"):
        feats[r[0]] = (r[1] == "1", np.array([float(x) for x in r[2:]], dtype=np.float64))
    templates = {}
    for image, tid, mid in rows:
        templates.setdefault(tid, []).append((image, mid))
    out = {}
    for tid, members in templates.items():
        ok = [(img, mid) for img, mid in members if feats[img][0]]
        if not ok:
            out[tid] = None
            continue
        unit = {img: feats[img][1] / np.linalg.norm(feats[img][1]) for img, _ in ok}
        if aggregation == "Mean":
            total = np.mean(np.stack([unit[img] for img, _ in ok]), axis=0)
        else:
            medias = sorted(set(mid for _, mid in ok))
            total = np.sum(np.stack([np.mean(np.stack([unit[img] for img, m in ok if m == mid]), axis=0) for mid in medias]), axis=0)
        out[tid] = total / np.linalg.norm(total)
    return out


def tar_at_far(gen, imp, far):
    ni = len(imp)
    k = int(Fraction(repr(far)) * ni)  # floor for non-negative values
    if k == 0:
        return {"far": far, "supported": False}
    if k >= ni:
        return {"far": far, "supported": True, "tar": 1.0, "threshold": -1.0, "falseAccepts": ni, "trueAccepts": len(gen)}
    s = np.sort(imp)[::-1][k]  # the (k+1)-th highest impostor score; the threshold lies just above it
    fa = int(np.sum(imp > s))
    ta = int(np.sum(gen > s))
    return {"far": far, "supported": True, "tar": ta / len(gen), "threshold": float(s), "falseAccepts": fa, "trueAccepts": ta}


def eer(gen, imp):
    best = None
    for t in np.unique(np.concatenate([gen, imp])):
        far = np.mean(imp >= t)
        frr = np.mean(gen < t)
        d = abs(far - frr)
        if best is None or d < best[0]:
            best = (d, (far + frr) / 2)
    return float(best[1])


def auc(gen, imp):
    g = gen[:, None]
    i = imp[None, :]
    return float((np.sum(g > i) + 0.5 * np.sum(g == i)) / (len(gen) * len(imp)))


def metrics(pairs, feats, targets):
    gen_c, imp_c, gen_s, imp_s = [], [], [], []
    for a, b, genuine in pairs:
        fa, fb = feats.get(a), feats.get(b)
        completed = fa is not None and fb is not None
        score = float(np.dot(fa, fb)) if completed else -1.0
        (gen_s if genuine else imp_s).append(score)
        if completed:
            (gen_c if genuine else imp_c).append(score)
    out = {}
    for name, gen, imp in (("completed", gen_c, imp_c), ("system", gen_s, imp_s)):
        gen, imp = np.array(gen), np.array(imp)
        out[name] = {"genuine": len(gen), "impostor": len(imp), "eer": eer(gen, imp), "auc": auc(gen, imp),
                     "tarAtFar": [tar_at_far(gen, imp, f) for f in targets]}
    return out


def main():
    folder = sys.argv[1]
    aggregation = open(folder + "/aggregation.txt").read().strip()
    feats = template_features(folder, aggregation)
    targets = [1e-1, 1e-2, 1e-3]
    listed = [(a, b, label == "1") for a, b, label in read_rows(folder + "/template_pair_label.txt")]
    subject = {t: s for t, s in read_rows(folder + "/subjects.txt")}
    ids = sorted(feats)
    every = [(ids[i], ids[j], subject[ids[i]] == subject[ids[j]]) for i in range(len(ids)) for j in range(i + 1, len(ids))]
    print(json.dumps({
        "features": {t: (None if f is None else [float(x) for x in f]) for t, f in feats.items()},
        "pairList": metrics(listed, feats, targets),
        "allPairs": metrics(every, feats, targets),
    }))


main()
