"""Runs the vendor's crop helper (seed_crop.py, imported from the shared peers folder, never copied)
on the images and boxes a Pester test lists, and reports what it produced.

usage: seed_crop_reference.py PEERS_DIR CASES_JSON RESULT_JSON PNG_DIR

CASES_JSON: [{"image": path, "expansion": 0.2, "max_side": 256 or null, "boxes": [[x, y, w, h], ...]}, ...]
RESULT_JSON: one entry per case and box: {"crop_box": [x, y, w, h] or null, "size": [w, h] or null,
"error": message or null}. The crop box is read back from an image whose pixels hold their own
coordinates, cropped by the helper with max_side=None; the size is the shape of the helper's real
result (cv2.imread of the same file, EXIF orientation applied as cv2 does). The helper's crops are
saved as PNG_DIR/<case>_<box>.png.
"""
import json
import os
import sys

import cv2
import numpy as np


def main():
    peers, cases_path, result_path, png_dir = sys.argv[1:5]
    sys.path.insert(0, peers)
    from seed_crop import crop_face_with_expansion  # noqa: E402  (the real helper)

    with open(cases_path, encoding="utf-8") as f:
        cases = json.load(f)
    results = []
    for ci, case in enumerate(cases):
        image = cv2.imread(case["image"])
        if image is None:
            raise SystemExit(f"cv2 cannot read {case['image']}")
        h, w = image.shape[:2]
        coords = np.dstack(np.meshgrid(np.arange(w, dtype=np.int32), np.arange(h, dtype=np.int32)))
        entries = []
        for bi, box in enumerate(case["boxes"]):
            entry = {"crop_box": None, "size": None, "error": None}
            located = crop_face_with_expansion(coords, box, expansion_factor=case["expansion"], max_side=None)
            if located.shape[0] > 0 and located.shape[1] > 0:
                x0, y0 = (int(v) for v in located[0, 0])
                entry["crop_box"] = [x0, y0, int(located.shape[1]), int(located.shape[0])]
            try:
                crop = crop_face_with_expansion(image, box, expansion_factor=case["expansion"], max_side=case["max_side"])
                entry["size"] = [int(crop.shape[1]), int(crop.shape[0])]
                cv2.imwrite(os.path.join(png_dir, f"{ci}_{bi}.png"), crop)
            except cv2.error as ex:
                entry["error"] = str(ex).strip().splitlines()[-1]
            entries.append(entry)
        results.append(entries)
    with open(result_path, "w", encoding="utf-8") as f:
        json.dump(results, f)


if __name__ == "__main__":
    main()
