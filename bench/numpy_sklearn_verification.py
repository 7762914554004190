"""What an evaluator would write without InsightFaceEval: numpy for all-pairs cosine scores, scikit-learn
for the ROC. Prints one JSON line: time and peak memory of the measurement, and the metrics it found.

Usage: python3 numpy_sklearn_verification.py EMBEDDINGS.npy LABELS.txt FAR [FAR ...]
"""
import json
import resource
import sys
import time

import numpy as np
from sklearn.metrics import roc_auc_score, roc_curve


def main():
    embeddings, labels, targets = sys.argv[1], sys.argv[2], [float(f) for f in sys.argv[3:]]
    x = np.load(embeddings)
    identity = np.loadtxt(labels, dtype=np.int64)
    start = time.perf_counter()
    x = x / np.linalg.norm(x, axis=1, keepdims=True)
    scores = x @ x.T
    first, second = np.triu_indices(len(x), 1)
    pair_scores = scores[first, second]
    del scores
    genuine = identity[first] == identity[second]
    del first, second
    fpr, tpr, thresholds = roc_curve(genuine, pair_scores)
    auc = roc_auc_score(genuine, pair_scores)
    fnr = 1 - tpr
    i = int(np.argmin(np.abs(fnr - fpr)))
    tar = {}
    for f in targets:
        ok = fpr <= f
        tar[str(f)] = float(tpr[ok].max()) if ok.any() else None
    elapsed = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    print(json.dumps({
        "seconds": elapsed, "peak_mb": peak_mb, "pairs": int(pair_scores.size), "genuine": int(genuine.sum()),
        "auc": float(auc), "eer": float((fpr[i] + fnr[i]) / 2), "tar": tar,
    }))


if __name__ == "__main__":
    main()
