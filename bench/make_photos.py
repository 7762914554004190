"""Synthetic 'photos' for bench/New-FaceCrop.Bench.ps1: smooth colour fields, blobs and sensor-like
noise, saved as baseline JPEG (quality 90, 4:2:0), plus boxes.csv with one face-sized box per image.

usage: make_photos.py FOLDER COUNT WIDTH HEIGHT SEED
"""
import csv
import os
import sys

import cv2
import numpy as np


def main():
    folder, count, width, height, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
    rng = np.random.default_rng(seed)
    os.makedirs(folder, exist_ok=True)
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
    bases = []
    for _ in range(6):
        base = np.empty((height, width, 3), np.float32)
        for c in range(3):
            a, b, p = rng.uniform(0.5, 3, 3)
            base[..., c] = 128 + 60 * np.sin(xx / width * a * 6.28 + p) * np.cos(yy / height * b * 6.28)
        base += rng.normal(0, 5, base.shape).astype(np.float32)
        bases.append(np.clip(base, 0, 255).astype(np.uint8))
    rows = []
    for i in range(count):
        img = np.roll(bases[i % len(bases)], (int(rng.integers(0, height)), int(rng.integers(0, width))), axis=(0, 1)).copy()
        for _ in range(8):
            centre = (int(rng.integers(0, width)), int(rng.integers(0, height)))
            axes = (int(rng.integers(20, 300)), int(rng.integers(20, 300)))
            colour = tuple(int(v) for v in rng.integers(0, 256, 3))
            cv2.ellipse(img, centre, axes, float(rng.uniform(0, 180)), 0, 360, colour, -1)
        w = int(rng.integers(height // 8, height // 3))
        h = int(w * rng.uniform(1.1, 1.35))
        x = int(rng.integers(0, width - w))
        y = int(rng.integers(0, height - h))
        name = f"img{i:04d}.jpg"
        cv2.imwrite(os.path.join(folder, name), img, [cv2.IMWRITE_JPEG_QUALITY, 90])
        rows.append({"Path": os.path.join(folder, name), "X": x, "Y": y, "Width": w, "Height": h})
    with open(os.path.join(folder, "boxes.csv"), "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=["Path", "X", "Y", "Width", "Height"])
        writer.writeheader()
        writer.writerows(rows)


if __name__ == "__main__":
    main()
