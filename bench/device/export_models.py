#!/usr/bin/env python3
"""Random-weight, full-size exports of the default model families, with PyTorch CUDA timings.

Runs on the GPU machine (torch, transformers, onnx and onnxruntime are there; no weights, no
network). For each family: build the public architecture with random weights (timings need the
architecture and input size, not the weights), time PyTorch CUDA eager at batch 1 in fp32 and fp16,
export ONNX (opset 17), and where onnxruntime.transformers imports, the transformer optimiser's
fused version (attention fusion) and an fp16 version of it (Resize kept in fp32: the device notes
saw a naive fp16 conversion fail there on WebGPU). Writes OUT/<family>*.onnx, OUT/shapes.json (the
inputs of each file, read by bench/device-bench.ts) and OUT/torch.json, after every family, so a
timeout keeps what was done. A family that fails is recorded with its error; the next one runs.

    python3 export_models.py OUT [--only depth,sam,owlv2] [--runs 20] [--variants fp16,opt]

Never run here (no torch on the development machine): written for the first GPU session.
"""
import argparse
import json
import os
import time
import traceback


def cuda_ms(torch, fn, runs, warm=5):
    """Median wall time of fn() in ms, synchronising the GPU around each call."""
    with torch.inference_mode():
        for _ in range(warm):
            fn()
        torch.cuda.synchronize()
        times = []
        for _ in range(runs):
            t = time.perf_counter()
            fn()
            torch.cuda.synchronize()
            times.append((time.perf_counter() - t) * 1000)
    times.sort()
    return round(times[len(times) // 2], 2)


def gpu_times(torch, net, inputs, runs):
    """PyTorch CUDA eager at the inputs' batch: fp32, then fp16 (float inputs halved; net stays fp16)."""
    m = net.cuda()
    xs = [x.cuda() for x in inputs]
    fp32 = cuda_ms(torch, lambda: m(*xs), runs)
    m.half()
    xh = [x.half() if x.is_floating_point() else x for x in xs]
    return {'torch_fp32_ms': fp32, 'torch_fp16_ms': cuda_ms(torch, lambda: m(*xh), runs)}


def wrap(torch, model, call):
    """A module whose forward is call(model, *inputs): the tensors the export should have."""

    class Call(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.m = model

        def forward(self, *inputs):
            return call(self.m, *inputs)

    return Call()


def export(torch, module, args, path, input_names, output_names, dynamic_axes):
    """The TorchScript exporter (dynamo=False where the argument exists): the one the public
    exports were made with."""
    kw = dict(
        input_names=input_names,
        output_names=output_names,
        dynamic_axes=dynamic_axes,
        opset_version=17,
        do_constant_folding=True,
    )
    with torch.no_grad():
        try:
            torch.onnx.export(module, args, path, dynamo=False, **kw)
        except TypeError:
            torch.onnx.export(module, args, path, **kw)
    return round(os.path.getsize(path) / 2**20, 1)


def variants(path, model_type, inputs, shapes):
    """fp16 of the plain export, the optimiser's fused export, and its fp16; each added to shapes."""
    out = {}
    try:
        import onnx
        from onnxruntime.transformers import optimizer
        from onnxruntime.transformers.onnx_model import OnnxModel
    except Exception as e:  # noqa: BLE001 - reported, not fatal
        return {'error': f'onnxruntime.transformers not importable: {e}'}
    try:
        from onnxruntime.transformers.float16 import DEFAULT_OP_BLOCK_LIST

        block = sorted(set(DEFAULT_OP_BLOCK_LIST) | {'Resize'})
    except Exception:  # noqa: BLE001
        block = None
    fp16_args = dict(keep_io_types=True)
    if block:
        fp16_args['op_block_list'] = block

    def save(model, suffix):
        p = path.replace('.onnx', suffix)
        model.save_model_to_file(p)
        shapes[os.path.basename(p)] = inputs
        return os.path.basename(p)

    if 'fp16' in WANTED:
        try:
            plain = OnnxModel(onnx.load(path))
            plain.convert_float_to_float16(**fp16_args)
            out['fp16'] = save(plain, '.fp16.onnx')
        except Exception as e:  # noqa: BLE001
            out['fp16_error'] = f'{type(e).__name__}: {e}'
    if 'opt' not in WANTED:
        return out
    try:
        opt = optimizer.optimize_model(
            path, model_type=model_type, num_heads=0, hidden_size=0, opt_level=0, use_gpu=False
        )
        out['fused'] = {k: v for k, v in opt.get_fused_operator_statistics().items() if v}
        out['opt'] = save(opt, '.opt.onnx')
        opt.convert_float_to_float16(**fp16_args)
        out['opt_fp16'] = save(opt, '.opt.fp16.onnx')
    except Exception as e:  # noqa: BLE001
        out['opt_error'] = f'{type(e).__name__}: {e}'
    return out


def depth(a, torch, shapes):
    """Depth Anything V2 small, metric head (Sigmoid x max_depth), at 640x480's network size 686x518."""
    from transformers import DepthAnythingConfig, DepthAnythingForDepthEstimation, Dinov2Config

    backbone = Dinov2Config(
        hidden_size=384,
        num_attention_heads=6,
        num_hidden_layers=12,
        image_size=518,
        patch_size=14,
        out_indices=[3, 6, 9, 12],
        reshape_hidden_states=False,
    )
    cfg = DepthAnythingConfig(
        backbone_config=backbone,
        fusion_hidden_size=64,
        neck_hidden_sizes=[48, 96, 192, 384],
        head_hidden_size=32,
        reassemble_factors=[4, 2, 1, 0.5],
        depth_estimation_type='metric',
        max_depth=20,
    )
    model = DepthAnythingForDepthEstimation(cfg).eval()
    net = wrap(torch, model, lambda m, pixel_values: m(pixel_values=pixel_values).predicted_depth)

    x = torch.rand(1, 3, 518, 686)
    path = os.path.join(a.out, 'depth_anything_v2_small.onnx')
    inputs = {'pixel_values': {'dtype': 'float32', 'shape': [1, 3, 518, 686]}}
    r = {'params_m': round(sum(p.numel() for p in model.parameters()) / 1e6, 1)}
    # Batch symbolic (the pipeline batches depth on the CPU); spatial size fixed to avoid tracing
    # DINOv2's position-embedding interpolation with symbolic sizes.
    r['onnx_mb'] = export(
        torch,
        net,
        (x,),
        path,
        ['pixel_values'],
        ['predicted_depth'],
        {'pixel_values': {0: 'batch'}, 'predicted_depth': {0: 'batch'}},
    )
    shapes[os.path.basename(path)] = inputs
    m = net.cuda()
    x4 = torch.rand(4, 3, 518, 686, device='cuda')
    r['torch_fp32_batch4_ms_per_image'] = round(cuda_ms(torch, lambda: m(x4), a.runs) / 4, 2)
    r.update(gpu_times(torch, net, [x], a.runs))
    r['variants'] = variants(path, 'vit', inputs, shapes)
    return r


def sam(a, torch, shapes):
    """SAM ViT-B image encoder (the HF SamModel default vision config) at 1024x1024."""
    from transformers import SamConfig, SamModel

    model = SamModel(SamConfig()).eval()
    enc = wrap(torch, model, lambda m, pixel_values: m.get_image_embeddings(pixel_values))
    x = torch.rand(1, 3, 1024, 1024)
    path = os.path.join(a.out, 'sam_vit_b_encoder.onnx')
    inputs = {'pixel_values': {'dtype': 'float32', 'shape': [1, 3, 1024, 1024]}}
    r = {'encoder_params_m': round(sum(p.numel() for p in model.vision_encoder.parameters()) / 1e6, 1)}
    r['onnx_mb'] = export(torch, enc, (x,), path, ['pixel_values'], ['image_embeddings'], None)
    shapes[os.path.basename(path)] = inputs
    r.update(gpu_times(torch, enc, [x], a.runs))
    r['variants'] = variants(path, 'vit', inputs, shapes)
    return r


def owlv2(a, torch, shapes):
    """OWLv2 B/16 at 960x960 with 3 text queries of 16 tokens."""
    from transformers import Owlv2Config, Owlv2ForObjectDetection

    cfg = Owlv2Config(
        text_config={},
        vision_config={
            'image_size': 960,
            'patch_size': 16,
            'hidden_size': 768,
            'num_hidden_layers': 12,
            'num_attention_heads': 12,
            'intermediate_size': 3072,
        },
    )
    model = Owlv2ForObjectDetection(cfg).eval()

    def detect(m, input_ids, attention_mask, pixel_values):
        out = m(input_ids=input_ids, attention_mask=attention_mask, pixel_values=pixel_values)
        return out.logits, out.pred_boxes

    net = wrap(torch, model, detect)

    ids = torch.randint(1, 49000, (3, 16))
    mask = torch.ones(3, 16, dtype=torch.int64)
    x = torch.rand(1, 3, 960, 960)
    path = os.path.join(a.out, 'owlv2_b16.onnx')
    inputs = {
        'input_ids': {'dtype': 'int64', 'shape': [3, 16]},
        'attention_mask': {'dtype': 'int64', 'shape': [3, 16]},
        'pixel_values': {'dtype': 'float32', 'shape': [1, 3, 960, 960]},
    }
    r = {'params_m': round(sum(p.numel() for p in model.parameters()) / 1e6, 1)}
    r['onnx_mb'] = export(
        torch,
        net,
        (ids, mask, x),
        path,
        ['input_ids', 'attention_mask', 'pixel_values'],
        ['logits', 'pred_boxes'],
        None,
    )
    shapes[os.path.basename(path)] = inputs
    r.update(gpu_times(torch, net, [ids, mask, x], a.runs))
    r['variants'] = variants(path, 'clip', inputs, shapes)
    return r


FAMILIES = {'depth': depth, 'sam': sam, 'owlv2': owlv2}
# Which variants to write besides the plain export: fp16 (plain, naive), opt (+ its fp16).
WANTED = {'fp16', 'opt'}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('out')
    ap.add_argument('--only', default='depth,sam,owlv2')
    ap.add_argument('--runs', type=int, default=20)
    ap.add_argument('--variants', default='fp16,opt')
    a = ap.parse_args()
    WANTED.clear()
    WANTED.update(v for v in a.variants.split(',') if v)
    os.makedirs(a.out, exist_ok=True)
    import torch
    import transformers

    torch.manual_seed(0)
    results = {
        'torch': torch.__version__,
        'transformers': transformers.__version__,
        'gpu': torch.cuda.get_device_name(0) if torch.cuda.is_available() else None,
        'families': {},
    }
    shapes = {}

    def save():
        with open(os.path.join(a.out, 'torch.json'), 'w') as f:
            json.dump(results, f, indent=2)
        with open(os.path.join(a.out, 'shapes.json'), 'w') as f:
            json.dump(shapes, f, indent=2)

    for family in a.only.split(','):
        t0 = time.time()
        print(f'{family}: building, timing and exporting', flush=True)
        try:
            r = FAMILIES[family](a, torch, shapes)
        except Exception as e:  # noqa: BLE001 - one family's failure must not stop the others
            r = {'error': f'{type(e).__name__}: {e}', 'trace': traceback.format_exc()[-3000:]}
        r['seconds'] = round(time.time() - t0, 1)
        results['families'][family] = r
        print(f'{family}: {json.dumps(r)[:600]}', flush=True)
        save()
        torch.cuda.empty_cache()


if __name__ == '__main__':
    main()
