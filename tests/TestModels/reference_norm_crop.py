#!/usr/bin/env python3
"""InsightFace's norm_crop computed independently in numpy, compared with the module's aligned face.

  reference_norm_crop.py <image> <aligned.png from the module> <size> <x1> <y1> ... <x5> <y5>

norm_crop estimates the similarity transform (rotation, uniform scale, translation) that maps the five landmarks
onto the ArcFace 112 template with least squares (Umeyama, 1991: SVD of the cross-covariance, reflection excluded),
then warps with bilinear interpolation and a constant black border (cv2.warpAffine(img, M, (size, size),
borderValue=0.0)). Prints JSON: the matrix, and how far the module's pixels are from the same formula in numpy and
from OpenCV's own warpAffine (fixed-point, 1/32-pixel steps).
"""
import json
import sys

import cv2
import numpy as np

ARCFACE_112 = np.array([[38.2946, 51.6963], [73.5318, 51.5014], [56.0252, 71.7366], [41.5493, 92.3655], [70.7299, 92.2041]], dtype=np.float64)


def umeyama(src, dst):
    n = src.shape[0]
    src_mean, dst_mean = src.mean(axis=0), dst.mean(axis=0)
    sd, dd = src - src_mean, dst - dst_mean
    cov = dd.T @ sd / n
    d = np.ones(2)
    if np.linalg.det(cov) < 0:
        d[1] = -1
    u, s, vt = np.linalg.svd(cov)
    rotation = u @ np.diag(d) @ vt
    scale = (s @ d) / sd.var(axis=0).sum()
    m = np.zeros((2, 3))
    m[:, :2] = scale * rotation
    m[:, 2] = dst_mean - scale * rotation @ src_mean
    return m


def warp(rgb, m, size):
    inverse = np.linalg.inv(np.vstack([m, [0, 0, 1]]))[:2]
    ys, xs = np.mgrid[0:size, 0:size].astype(np.float64)
    sx = inverse[0, 0] * xs + inverse[0, 1] * ys + inverse[0, 2]
    sy = inverse[1, 0] * xs + inverse[1, 1] * ys + inverse[1, 2]
    x0, y0 = np.floor(sx).astype(int), np.floor(sy).astype(int)
    fx, fy = (sx - x0)[..., None], (sy - y0)[..., None]
    h, w = rgb.shape[:2]

    def at(x, y):
        inside = (x >= 0) & (x < w) & (y >= 0) & (y < h)
        values = np.zeros((size, size, 3))
        values[inside] = rgb[y[inside], x[inside]]
        return values

    top = at(x0, y0) * (1 - fx) + at(x0 + 1, y0) * fx
    bottom = at(x0, y0 + 1) * (1 - fx) + at(x0 + 1, y0 + 1) * fx
    return np.clip(np.floor(top * (1 - fy) + bottom * fy + 0.5), 0, 255)


def main(image, aligned, size, points):
    rgb = cv2.cvtColor(cv2.imread(image, cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB).astype(np.float64)
    landmarks = np.array(points, dtype=np.float64).reshape(5, 2)
    ratio = size / 112.0 if size % 112 == 0 else size / 128.0
    template = ARCFACE_112 * ratio
    if size % 112 != 0:
        template[:, 0] += 8.0 * ratio
    m = umeyama(landmarks, template)
    mine = cv2.cvtColor(cv2.imread(aligned, cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB).astype(np.float64)
    ours = warp(rgb, m, size)
    opencv = cv2.warpAffine(rgb.astype(np.uint8), m, (size, size), borderValue=0.0).astype(np.float64)
    print(json.dumps({
        'matrix': m.reshape(-1).tolist(),
        'maxDifference': float(np.abs(mine - ours).max()),
        'differingFraction': float((np.abs(mine - ours) > 0).mean()),
        'openCvMeanDifference': float(np.abs(mine - opencv).mean()),
        'blackBorderPixels': int((ours.sum(axis=2) == 0).sum()),
    }))


if __name__ == '__main__':
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]), [float(v) for v in sys.argv[4:14]])
