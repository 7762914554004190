"""The baseline New-FaceCrop is measured against: the vendor's helper (imported from the shared peers
folder, not copied) in a plain Python loop, as an evaluator would run it: cv2.imread, the helper,
cv2.imwrite to PNG. Prints one JSON line: images, seconds and CPU seconds (the loop only), peak RSS and crop sizes.

usage: seed_crop_loop.py PEERS_DIR BOXES_CSV OUTPUT_FOLDER
"""
import csv
import json
import os
import resource
import sys
import time

import cv2


def main():
    peers, boxes_csv, out = sys.argv[1:4]
    sys.path.insert(0, peers)
    from seed_crop import crop_face_with_expansion

    os.makedirs(out, exist_ok=True)
    with open(boxes_csv, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    sizes = []
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu_start = usage.ru_utime + usage.ru_stime
    start = time.perf_counter()
    for row in rows:
        image = cv2.imread(row["Path"])
        box = [int(row["X"]), int(row["Y"]), int(row["Width"]), int(row["Height"])]
        crop = crop_face_with_expansion(image, box)
        name = os.path.splitext(os.path.basename(row["Path"]))[0] + "_0.png"
        cv2.imwrite(os.path.join(out, name), crop)
        sizes.append(f"{crop.shape[1]}x{crop.shape[0]}")
    seconds = time.perf_counter() - start
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu_seconds = usage.ru_utime + usage.ru_stime - cpu_start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    print(json.dumps({"images": len(rows), "seconds": seconds, "cpu_seconds": cpu_seconds, "peak_mb": peak_mb, "sizes": sizes}))


if __name__ == "__main__":
    main()
