#!/usr/bin/env python3
"""Export a Depth Anything V2 *metric* checkpoint (transformers format, e.g.
depth-anything/Depth-Anything-V2-Metric-Indoor-Small-hf) to the ONNX contract of sqw's catalogue
entries depth-anything-v2-metric-{indoor,outdoor}-small:

    onnx/model.onnx           pixel_values f32 [batch, 3, height, width]
                              -> predicted_depth f32 [batch, height, width], metres
                              (the metric head, Sigmoid x max_depth, stays in the graph)
    preprocessor_config.json  the checkpoint's DPTImageProcessor settings (518, multiple of 14, ...)
    config.json               with depth_estimation_type "metric" and max_depth

The output size must follow the input size: the TorchScript tracer freezes the head's final
interpolation at the traced size, so after exporting this script runs the file with onnxruntime at
a second aspect ratio and compares it with torch; when the sizes or values disagree it tries the
dynamo exporter with symbolic height/width, and fails loudly if that does not hold either.

    python3 export_depth_anything_metric.py --checkpoint ID_OR_FOLDER --out FOLDER [--revision SHA]

Needs torch and transformers (onnxruntime for the check, onnxscript for the dynamo retry). Prints
one JSON line with what it did; exit code 0 only when the file passed the check (or, with
--no-check, was written).
"""

import argparse
import json
import sys
from pathlib import Path

# Traced at the network size of a 4:3 photo; checked at the size of a 3:4 portrait.
TRACE_HW = (518, 686)
CHECK_HW = (686, 518)


def parse_args(argv):
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--checkpoint', required=True, help='hub id or local folder of the -hf checkpoint')
    ap.add_argument('--out', required=True, help='folder to write (the model folder layout)')
    ap.add_argument('--revision', default=None, help='hub commit to load (pin it)')
    ap.add_argument('--opset', type=int, default=17)
    ap.add_argument('--no-check', action='store_true', help='skip the onnxruntime check')
    return ap.parse_args(argv)


def load(args):
    from transformers import AutoConfig, AutoImageProcessor, AutoModelForDepthEstimation

    kw = {'revision': args.revision} if args.revision else {}
    config = AutoConfig.from_pretrained(args.checkpoint, **kw)
    kind = getattr(config, 'depth_estimation_type', None)
    if kind != 'metric':
        raise SystemExit(
            f'{args.checkpoint}: depth_estimation_type is {kind!r}, not "metric": a relative-depth '
            'checkpoint gives inverse relative depth, not metres; refusing to export it'
        )
    model = AutoModelForDepthEstimation.from_pretrained(args.checkpoint, **kw).eval()
    processor = AutoImageProcessor.from_pretrained(args.checkpoint, **kw)
    return config, model, processor


def wrap(torch, model):
    """pixel_values -> predicted_depth as a Module (defined here: torch is imported in main)."""

    class Net(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.model = model

        def forward(self, pixel_values):
            return self.model(pixel_values=pixel_values).predicted_depth

    return Net().eval()


def export_torchscript(torch, net, path, opset):
    x = torch.randn(1, 3, *TRACE_HW)
    kw = dict(
        input_names=['pixel_values'],
        output_names=['predicted_depth'],
        opset_version=opset,
        dynamic_axes={
            'pixel_values': {0: 'batch', 2: 'height', 3: 'width'},
            'predicted_depth': {0: 'batch', 1: 'height', 2: 'width'},
        },
    )
    try:
        torch.onnx.export(net, (x,), str(path), dynamo=False, **kw)
    except TypeError:  # torch before 2.5 has no `dynamo` argument
        torch.onnx.export(net, (x,), str(path), **kw)


def export_dynamo(torch, net, path, opset):
    dim = torch.export.Dim
    batch = dim('batch', min=1, max=64)
    ph = dim('patches_h', min=1, max=256)
    pw = dim('patches_w', min=1, max=256)
    x = torch.randn(1, 3, *TRACE_HW)
    torch.onnx.export(
        net,
        (x,),
        str(path),
        dynamo=True,
        external_data=False,
        opset_version=max(opset, 18),
        input_names=['pixel_values'],
        output_names=['predicted_depth'],
        dynamic_shapes={'pixel_values': {0: batch, 2: 14 * ph, 3: 14 * pw}},
    )


def check(torch, net, path, max_depth):
    """Run the file at CHECK_HW with onnxruntime; compare shape and values with torch."""
    import numpy as np
    import onnxruntime as ort

    x = torch.rand(1, 3, *CHECK_HW) * 4 - 2
    with torch.no_grad():
        want = net(x).numpy()
    sess = ort.InferenceSession(str(path), providers=['CPUExecutionProvider'])
    got = sess.run(['predicted_depth'], {'pixel_values': x.numpy()})[0]
    r = {'input': list(x.shape), 'torch': list(want.shape), 'onnx': list(got.shape)}
    if got.shape != want.shape:
        r['ok'] = False
        r['why'] = 'output size does not follow the input size (traced at a fixed size)'
        return r
    diff = float(np.abs(got - want).max())
    r.update(max_abs_diff_m=diff, min=float(got.min()), max=float(got.max()))
    r['ok'] = diff <= 1e-3 * max_depth and float(got.min()) >= 0 and float(got.max()) <= max_depth * 1.01
    if not r['ok']:
        r['why'] = f'onnxruntime and torch differ by {diff:.4g} m or the range leaves [0, {max_depth}]'
    return r


def main(argv=None):
    args = parse_args(argv)
    try:
        import torch
    except ImportError:
        raise SystemExit('torch is not installed: pip install torch transformers onnxruntime')
    config, model, processor = load(args)
    out = Path(args.out)
    (out / 'onnx').mkdir(parents=True, exist_ok=True)
    path = out / 'onnx' / 'model.onnx'
    net = wrap(torch, model)
    report = {'checkpoint': args.checkpoint, 'revision': args.revision, 'max_depth': config.max_depth}

    export_torchscript(torch, net, path, args.opset)
    report['exporter'] = 'torchscript'
    if not args.no_check:
        report['check'] = check(torch, net, path, config.max_depth)
        if not report['check']['ok']:
            try:
                export_dynamo(torch, net, path, args.opset)
                report['exporter'] = 'dynamo (torchscript failed the check)'
                report['check'] = check(torch, net, path, config.max_depth)
            except Exception as e:  # noqa: BLE001 - reported, then the check decides
                report['dynamo_error'] = str(e)[:500]
    processor.save_pretrained(str(out))
    config.save_pretrained(str(out))
    report['files'] = sorted(str(p.relative_to(out)) for p in out.rglob('*') if p.is_file())
    print(json.dumps(report))
    if not args.no_check and not report['check']['ok']:
        print(f"export failed the check: {report['check'].get('why')}", file=sys.stderr)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
