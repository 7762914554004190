#!/usr/bin/env python3
"""An independent numpy reading of SCRFD/RetinaFace outputs for the tests, written from the published description.

  reference_detect.py plant <image.png> <width> <height> <faces.json>
      Writes a black image with coloured squares; the JSON file lists the faces: {"colour", "x", "y", "size", "intensity"}.
  reference_detect.py detect <models folder> <model file name> <image.png> <detection size> <threshold> <nms>
      Prints the detections as JSON: [{"box": [x, y, w, h], "score": s, "kps": [x1, y1, ... x5, y5] or null}].

The model's raw outputs are computed again from its known function (make_test_models.py's spec.json); the
decoding below follows the format as InsightFace documents and runs it: the image letterboxed into the input at
the top-left (scaled to fit, cv2.resize bilinear, the scaled side truncated), RGB (x - 127.5) / 128; per stride s
the anchor centres are (column * s, row * s) in row-major order, each repeated once per anchor; a box is
centre -/+ distance * s (left, top, right, bottom), a keypoint centre + offset * s; scores at or above the
threshold, highest first, greedy suppression above the overlap threshold; positions divided by the letterbox scale.
"""
import json
import sys

import cv2
import numpy as np

COLOURS = {
    'red': (1, -1, -1), 'green': (-1, 1, -1), 'blue': (-1, -1, 1),
    'yellow': (1, 1, -1), 'cyan': (-1, 1, 1), 'magenta': (1, -1, 1),
}


def plant(path, width, height, faces):
    rgb = np.zeros((height, width, 3), dtype=np.uint8)
    for f in faces:
        value = int(round(255 * f.get('intensity', 1.0)))
        for c, sign in enumerate(COLOURS[f['colour']]):
            if sign > 0:
                rgb[f['y']:f['y'] + f['size'], f['x']:f['x'] + f['size'], c] = value
    cv2.imwrite(path, cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR))


def letterbox(rgb, size):
    h, w = rgb.shape[:2]
    if h / w > 1.0:
        new_h = size
        new_w = int(new_h / (h / w))
    else:
        new_w = size
        new_h = int(new_w * (h / w))
    scale = new_h / h
    canvas = np.zeros((size, size, 3), dtype=np.uint8)
    canvas[:new_h, :new_w] = cv2.resize(rgb, (new_w, new_h))
    return (canvas.astype(np.float32) - 127.5) / 128.0, scale


def raw_outputs(blob, heads, strides, keypoints):
    """The model's outputs for one input, from its known function: per stride (scores, boxes, keypoints)."""
    size = blob.shape[0]
    result = []
    for s in strides:
        cells = size // s
        pooled = blob[:cells * s, :cells * s].reshape(cells, s, cells, s, 3).mean(axis=(1, 3))  # [rows, cols, 3]
        mine = sorted((h for h in heads if h['stride'] == s), key=lambda h: h['anchor'])
        scores, boxes, kpss = [], [], []
        for h in mine:
            t = pooled @ np.array(h['trigger'], dtype=np.float32)
            scores.append(np.clip((t - 1) / 2, 0, 1))
            boxes.append(np.stack([b + g * t for b, g in zip(h['box_base'], h['box_gain'])], axis=-1))
            kpss.append(np.stack([b + g * t for b, g in zip(h['kps_base'], h['kps_gain'])], axis=-1))
        # Rows: positions in row-major order, anchors of one position next to each other.
        result.append((np.stack(scores, axis=-1).reshape(-1), np.stack(boxes, axis=2).reshape(-1, 4),
                       np.stack(kpss, axis=2).reshape(-1, 10) if keypoints else None))
    return result


def decode(outputs, strides, size, threshold):
    dets, kps_all = [], []
    for (scores, distances, offsets), s in zip(outputs, strides):
        cells = size // s
        anchors = scores.shape[0] // (cells * cells)
        ys, xs = np.mgrid[0:cells, 0:cells]
        centres = np.repeat(np.stack([xs.reshape(-1), ys.reshape(-1)], axis=-1) * s, anchors, axis=0).astype(np.float32)
        keep = np.where(scores >= threshold)[0]
        d = distances[keep] * s
        c = centres[keep]
        boxes = np.stack([c[:, 0] - d[:, 0], c[:, 1] - d[:, 1], c[:, 0] + d[:, 2], c[:, 1] + d[:, 3]], axis=-1)
        dets.append(np.hstack([boxes, scores[keep, None]]))
        if offsets is not None:
            o = offsets[keep] * s
            kps_all.append(np.hstack([np.stack([c[:, 0] + o[:, 2 * i], c[:, 1] + o[:, 2 * i + 1]], axis=-1) for i in range(5)]))
    dets = np.vstack(dets)
    kps = np.vstack(kps_all) if kps_all else None
    return dets, kps


def suppress(dets, nms):
    order = np.argsort(-dets[:, 4], kind='stable')
    kept = []
    for i in order:
        ok = True
        for k in kept:
            iw = min(dets[i, 2], dets[k, 2]) - max(dets[i, 0], dets[k, 0])
            ih = min(dets[i, 3], dets[k, 3]) - max(dets[i, 1], dets[k, 1])
            if iw > 0 and ih > 0:
                inter = iw * ih
                area = lambda j: (dets[j, 2] - dets[j, 0]) * (dets[j, 3] - dets[j, 1])
                if inter / (area(i) + area(k) - inter) > nms:
                    ok = False
                    break
        if ok:
            kept.append(i)
    return kept


def detect(folder, model, image, size, threshold, nms):
    with open(f'{folder}/spec.json', encoding='utf-8') as f:
        spec = json.load(f)
    m = spec['models'][model]
    rgb = cv2.cvtColor(cv2.imread(image, cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB)
    run_size = m['size'] or size
    blob, scale = letterbox(rgb, run_size)
    outputs = raw_outputs(blob, spec['heads'][m['family']], m['strides'], m['keypoints'])
    dets, kps = decode(outputs, m['strides'], run_size, threshold)
    result = []
    for i in suppress(dets, nms):
        x1, y1, x2, y2, score = (float(v) for v in dets[i])
        result.append({'box': [x1 / scale, y1 / scale, (x2 - x1) / scale, (y2 - y1) / scale], 'score': score,
                       'kps': None if kps is None else [float(v) / scale for v in kps[i]]})
    print(json.dumps(result))


if __name__ == '__main__':
    if sys.argv[1] == 'plant':
        with open(sys.argv[5], encoding='utf-8-sig') as f:
            plant(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), json.load(f))
    else:
        detect(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]), float(sys.argv[6]), float(sys.argv[7]))
