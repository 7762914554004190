#!/usr/bin/env python3
"""Writes small ONNX models with the input/output signatures of InsightFace's detectors and recognisers.

Run by the tests (Debian's python3-onnx; nothing is downloaded): `make_test_models.py <output folder>`.
Every model's raw outputs are a known function of its input, so a test can compute them again in numpy:

Detectors (SCRFD 6/9 outputs, InsightFace RetinaFace 10/15 outputs; batched [1,N,C] or unbatched [N,C]):
for each stride s, P = the input averaged over s x s cells ([1,3,H/s,W/s]); every head is a 1x1 linear map of P
(a Conv) laid out as InsightFace's decoders read it: rows are cells in row-major order, with the anchors of a
cell next to each other. Each (stride, anchor) pair has a trigger colour v (+-1 per RGB channel): its score is
clip((v . P - 1) / 2, 0, 1), 1 for a cell filled with that colour at full intensity and 0 for any other pure
colour or black, so a coloured square aligned to a cell "plants" one face. Its box distances and keypoint
offsets (in strides, as the format encodes them) are base + gain * (v . P).

Recognisers (ArcFace, [N,3,112,112] -> [N,512]): the input averaged over 14 x 14 cells, flattened (192 values)
and multiplied by a fixed matrix. The "mxnet" variant takes raw 0..255 pixels and normalises them itself with
leading Sub and Mul nodes, as InsightFace's router recognises such graphs.

The weights are written to spec.json beside the models for the tests' independent numpy decoders.
"""
import json
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OPSET = 13
COLOURS = {
    'red': (1, -1, -1), 'green': (-1, 1, -1), 'blue': (-1, -1, 1),
    'yellow': (1, 1, -1), 'cyan': (-1, 1, 1), 'magenta': (1, -1, 1),
}
# (stride, anchor) -> trigger colour, in the order the heads are laid out.
SCRFD_TRIGGERS = [(8, 0, 'red'), (8, 1, 'green'), (16, 0, 'blue'), (16, 1, 'yellow'), (32, 0, 'cyan'), (32, 1, 'magenta')]
RETINA_TRIGGERS = [(8, 0, 'red'), (16, 0, 'green'), (32, 0, 'blue'), (64, 0, 'yellow'), (128, 0, 'cyan')]
# Keypoints of a face relative to its anchor, in strides: eyes, nose tip, mouth corners.
KPS_BASE = [-0.6, -0.5, 0.6, -0.5, 0.0, 0.1, -0.45, 0.7, 0.45, 0.7]


def head_weights(rng, triggers):
    """Per (stride, anchor): trigger, box base/gain (4) and keypoint base/gain (10)."""
    heads = []
    for stride, anchor, colour in triggers:
        box_base = [round(float(x), 3) for x in rng.uniform(1.2, 2.2, 4)]
        box_gain = [round(float(x), 3) for x in rng.uniform(0.01, 0.05, 4)]
        kps_base = [round(k + float(rng.uniform(-0.1, 0.1)), 3) for k in KPS_BASE]
        kps_gain = [round(float(x), 3) for x in rng.uniform(-0.03, 0.03, 10)]
        heads.append({'stride': stride, 'anchor': anchor, 'colour': colour, 'trigger': list(COLOURS[colour]),
                      'box_base': box_base, 'box_gain': box_gain, 'kps_base': kps_base, 'kps_gain': kps_gain})
    return heads


def conv_params(heads, stride, kind):
    """Conv weight [A*C,3,1,1] and bias for one stride's heads: score (C=1), box (C=4) or keypoints (C=10)."""
    rows_w, rows_b = [], []
    for h in sorted((h for h in heads if h['stride'] == stride), key=lambda h: h['anchor']):
        v = np.array(h['trigger'], dtype=np.float32)
        if kind == 'score':
            rows_w.append(v / 2)
            rows_b.append(-0.5)
        else:
            base, gain = (h['box_base'], h['box_gain']) if kind == 'box' else (h['kps_base'], h['kps_gain'])
            for b, g in zip(base, gain):
                rows_w.append(v * g)
                rows_b.append(b)
    w = np.stack(rows_w).astype(np.float32).reshape(len(rows_w), 3, 1, 1)
    return w, np.array(rows_b, dtype=np.float32)


def detector(path, heads, strides, keypoints, batched, size, names):
    nodes, inits, outputs = [], [], []
    inp = 'input.1'
    dims = [1, 3, size, size] if size else [1, 3, '?', '?']
    groups = {'score': [], 'box': [], 'kps': []}
    channels = {'score': 1, 'box': 4, 'kps': 10}
    for s in strides:
        pooled = f'pool{s}'
        nodes.append(helper.make_node('AveragePool', [inp], [pooled], kernel_shape=[s, s], strides=[s, s], name=f'AveragePool_{s}'))
        for kind in ('score', 'box', 'kps') if keypoints else ('score', 'box'):
            w, b = conv_params(heads, s, kind)
            inits += [numpy_helper.from_array(w, f'{kind}{s}_w'), numpy_helper.from_array(b, f'{kind}{s}_b')]
            nodes.append(helper.make_node('Conv', [pooled, f'{kind}{s}_w', f'{kind}{s}_b'], [f'{kind}{s}_c'], name=f'Conv_{kind}{s}'))
            last = f'{kind}{s}_c'
            if kind == 'score':
                nodes.append(helper.make_node('Clip', [last, 'zero', 'one'], [f'{kind}{s}_clip'], name=f'Clip_{s}'))
                last = f'{kind}{s}_clip'
            nodes.append(helper.make_node('Transpose', [last], [f'{kind}{s}_t'], perm=[0, 2, 3, 1], name=f'Transpose_{kind}{s}'))
            shape_name = f'shape_{kind}'
            groups[kind].append((s, f'{kind}{s}_t', shape_name))
    inits += [numpy_helper.from_array(np.array(0, dtype=np.float32), 'zero'), numpy_helper.from_array(np.array(1, dtype=np.float32), 'one')]
    for kind, c in channels.items():
        shape = [1, -1, c] if batched else [-1, c]
        inits.append(numpy_helper.from_array(np.array(shape, dtype=np.int64), f'shape_{kind}'))
    anchors = max(h['anchor'] for h in heads) + 1
    order = ('score', 'box', 'kps') if keypoints else ('score', 'box')
    n = 0
    for kind in order:
        for s, transposed, shape_name in groups[kind]:
            out = names[n] if names else f'{kind}_{s}'
            n += 1
            nodes.append(helper.make_node('Reshape', [transposed, shape_name], [out], name=f'Reshape_{out}'))
            rows = (size // s) * (size // s) * anchors if size else '?'
            out_dims = [1, rows, channels[kind]] if batched else [rows, channels[kind]]
            outputs.append(helper.make_tensor_value_info(out, TensorProto.FLOAT, out_dims))
    graph = helper.make_graph(nodes, 'detector', [helper.make_tensor_value_info(inp, TensorProto.FLOAT, dims)], outputs, inits)
    save(graph, path)


def recogniser(path, matrix, mxnet, fixed_batch=False):
    nodes, inits = [], []
    inp = 'data' if mxnet else 'input.1'
    first = inp
    if mxnet:
        # Raw pixels in; the graph normalises them first (named as MXNet exports name them).
        inits += [numpy_helper.from_array(np.array(127.5, dtype=np.float32), 'mean'), numpy_helper.from_array(np.array(1 / 127.5, dtype=np.float32), 'scale')]
        nodes += [helper.make_node('Sub', [inp, 'mean'], ['centred'], name='_minus0'), helper.make_node('Mul', ['centred', 'scale'], ['normed'], name='_mul0')]
        first = 'normed'
    inits += [numpy_helper.from_array(matrix, 'fc_w'), numpy_helper.from_array(np.array([-1, 192], dtype=np.int64), 'flat_shape')]
    nodes += [
        helper.make_node('AveragePool', [first], ['pooled'], kernel_shape=[14, 14], strides=[14, 14], name='AveragePool_0'),
        helper.make_node('Reshape', ['pooled', 'flat_shape'], ['flat'], name='Reshape_0'),
        helper.make_node('MatMul', ['flat', 'fc_w'], ['683'], name='MatMul_0'),
    ]
    batch = 1 if fixed_batch else 'None'
    graph = helper.make_graph(nodes, 'recogniser',
                              [helper.make_tensor_value_info(inp, TensorProto.FLOAT, [batch, 3, 112, 112])],
                              [helper.make_tensor_value_info('683', TensorProto.FLOAT, [batch, 512])], inits)
    save(graph, path)


def attribute(path):
    """A genderage-shaped model ([1,3,96,96] -> [1,3]) that a pack holds and the module must skip."""
    inits = [numpy_helper.from_array(np.ones((3 * 96 * 96, 3), dtype=np.float32) / 1000, 'w'), numpy_helper.from_array(np.array([1, -1], dtype=np.int64), 'flat')]
    nodes = [helper.make_node('Reshape', ['data', 'flat'], ['f'], name='Reshape_0'), helper.make_node('MatMul', ['f', 'w'], ['fc1'], name='MatMul_0')]
    graph = helper.make_graph(nodes, 'genderage', [helper.make_tensor_value_info('data', TensorProto.FLOAT, [1, 3, 96, 96])],
                              [helper.make_tensor_value_info('fc1', TensorProto.FLOAT, [1, 3])], inits)
    save(graph, path)


def save(graph, path):
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid('', OPSET)], producer_name='InsightFaceEval tests')
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, path)


def main(out):
    os.makedirs(out, exist_ok=True)
    rng = np.random.default_rng(14)
    scrfd = head_weights(rng, SCRFD_TRIGGERS)
    retina = head_weights(rng, RETINA_TRIGGERS)
    matrix = rng.normal(0, 1, (192, 512)).astype(np.float32)
    # det_10g.onnx's own output names: scores, then boxes, then keypoints, strides 8, 16, 32.
    det10g_names = ['448', '471', '494', '451', '474', '497', '454', '477', '500']
    models = {
        'scrfd_kps.onnx': dict(heads=scrfd, strides=[8, 16, 32], keypoints=True, batched=False, size=None, names=det10g_names),
        'scrfd_kps_batched.onnx': dict(heads=scrfd, strides=[8, 16, 32], keypoints=True, batched=True, size=640, names=None),
        'scrfd_nokps.onnx': dict(heads=scrfd, strides=[8, 16, 32], keypoints=False, batched=False, size=640, names=None),
        'scrfd_nokps_batched.onnx': dict(heads=scrfd, strides=[8, 16, 32], keypoints=False, batched=True, size=None, names=None),
        'retinaface_kps.onnx': dict(heads=retina, strides=[8, 16, 32, 64, 128], keypoints=True, batched=False, size=640, names=None),
        'retinaface_nokps_batched.onnx': dict(heads=retina, strides=[8, 16, 32, 64, 128], keypoints=False, batched=True, size=None, names=None),
    }
    for name, m in models.items():
        detector(os.path.join(out, name), m['heads'], m['strides'], m['keypoints'], m['batched'], m['size'], m['names'])
    recogniser(os.path.join(out, 'arcface.onnx'), matrix, mxnet=False)
    recogniser(os.path.join(out, 'arcface_mxnet.onnx'), matrix, mxnet=True)

    # An InsightFace-style pack: detector, recogniser and an attribute model, named as buffalo_l names them.
    pack = os.path.join(out, 'pack')
    os.makedirs(pack, exist_ok=True)
    detector(os.path.join(pack, 'det_10g.onnx'), scrfd, [8, 16, 32], True, False, None, det10g_names)
    recogniser(os.path.join(pack, 'w600k_r50.onnx'), matrix, mxnet=False)
    attribute(os.path.join(pack, 'genderage.onnx'))

    spec = {
        'models': {name: {k: v for k, v in m.items() if k != 'heads'} | {'family': 'retinaface' if 'retina' in name else 'scrfd'} for name, m in models.items()},
        'heads': {'scrfd': scrfd, 'retinaface': retina},
        'recogniser_matrix': matrix.tolist(),
    }
    with open(os.path.join(out, 'spec.json'), 'w', encoding='utf-8') as f:
        json.dump(spec, f)
    print(out)


if __name__ == '__main__':
    if len(sys.argv) != 2:
        sys.exit('usage: make_test_models.py <output folder>')
    main(sys.argv[1])
