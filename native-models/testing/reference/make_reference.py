#!/usr/bin/env python3
"""Reference fixtures: tiny random-weight models of each family, run through the transformers
processors and post-processing, so the CPU test suite can hold our adapters to the reference code.

Runs where torch + transformers + onnx + onnxruntime exist (the GPU machine; the CPU is enough):

    python3 make_reference.py KIT OUT [--only clip,owlv2,gdino,slimsam,depth]

KIT holds what the Node side prepared (native-models/testing/reference/prepare.ts): the two test
images as PNG (decoded identically by PIL and sharp, unlike JPEG), and the tokenizer.json files our
tests use (CLIP BPE, BERT WordPiece), so token ids are the same on both sides.

For each family: build the architecture from a tiny config (same graph structure and public input /
output names, a few MB), fixed seed; export ONNX with the public export's names; check the ONNX
against torch with onnxruntime; then on both images run the reference processor (PIL backend),
the model, and the reference post-processing, and write OUT/<family>/expected.json next to the
model files laid out as our model store expects them. A family that fails is recorded in
OUT/summary.json with its error and the next one runs.
"""
import argparse
import importlib
import json
import os
import sys
import time
import traceback

import numpy as np

SEED = 1234
IMAGES = ['corridor.png', 'juneau.png']
CLIP_MEAN = [0.48145466, 0.4578275, 0.40821073]
CLIP_STD = [0.26862954, 0.26130258, 0.27577711]
IMAGENET_MEAN = [0.485, 0.456, 0.406]
IMAGENET_STD = [0.229, 0.224, 0.225]


# ---------------------------------------------------------------- helpers


def pil_processor(module, cls, **kw):
    """The PIL-backend image processor (transformers 5: <Cls>Pil in image_processing_pil_<m>);
    older releases: the slow <Cls>. Returns (processor, class name used)."""
    tries = [
        (f'transformers.models.{module}.image_processing_pil_{module}', cls + 'Pil'),
        (f'transformers.models.{module}.image_processing_{module}', cls),
        ('transformers', cls),
    ]
    errors = []
    for mod, name in tries:
        try:
            c = getattr(importlib.import_module(mod), name)
            return c(**kw), f'{mod}.{name}'
        except (ImportError, AttributeError) as e:
            errors.append(f'{mod}.{name}: {e}')
    raise RuntimeError('no image processor: ' + '; '.join(errors))


def load_image(kit, name):
    from PIL import Image

    return Image.open(os.path.join(kit, name)).convert('RGB')


def tokenizer(kit, name):
    from tokenizers import Tokenizer

    return Tokenizer.from_file(os.path.join(kit, name, 'tokenizer.json'))


def stats(a):
    a = np.asarray(a, dtype=np.float64)
    return {
        'shape': list(a.shape),
        'mean': float(a.mean()),
        'std': float(a.std()),
        'min': float(a.min()),
        'max': float(a.max()),
    }


def sample(a, count=4096):
    """count evenly spaced values of the flattened array (with their flat indices' stride)."""
    flat = np.asarray(a, dtype=np.float32).reshape(-1)
    stride = max(1, flat.size // count)
    return {'stride': stride, 'values': [round(float(v), 6) for v in flat[::stride][:count]]}


def rle(mask):
    """COCO RLE of a binary H×W mask: column-major run lengths starting with zeros."""
    m = np.asarray(mask, dtype=np.uint8).reshape(mask.shape[0], mask.shape[1])
    flat = m.T.reshape(-1)
    counts = []
    prev, run = 0, 0
    for v in flat:
        if v != prev:
            counts.append(run)
            prev, run = v, 0
        run += 1
    counts.append(run)
    return {'size': [int(m.shape[0]), int(m.shape[1])], 'counts': counts}


def export(torch, module, args, path, input_names, output_names, dynamic_axes):
    """TorchScript exporter (the public exports' exporter), opset 17; dynamo if it is gone."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
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
            how = 'torchscript'
        except TypeError:
            torch.onnx.export(module, args, path, **kw)
            how = 'default'
        except Exception as e:  # noqa: BLE001 - an operator the TorchScript exporter lacks
            if 'UnsupportedOperator' not in type(e).__name__:
                raise
            # Static shapes: dynamo cannot turn these dynamic_axes into dynamic_shapes (4th run).
            kw['dynamic_axes'] = None
            torch.onnx.export(module, args, path, dynamo=True, external_data=False, **kw)
            how = f'dynamo, static shapes (torchscript: {str(e)[:300]})'
    return {'file': os.path.basename(path), 'mb': round(os.path.getsize(path) / 2**20, 2), 'exporter': how}


def ort_check(path, feeds, torch_outputs):
    """Max |ORT − torch| per output on these feeds: the export is only a fixture if it agrees."""
    import onnxruntime as ort

    s = ort.InferenceSession(path, providers=['CPUExecutionProvider'])
    names = [o.name for o in s.get_outputs()]
    got = s.run(None, {k: v for k, v in feeds.items()})
    out = {}
    for n, g, t in zip(names, got, torch_outputs):
        t = np.asarray(t)
        out[n] = {'max_abs': float(np.abs(g.astype(np.float64) - t).max()), 'scale': float(np.abs(t).max())}
    return out, dict(zip(names, got))


def wrap(torch, model, call):
    class Call(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.m = model

        def forward(self, *inputs):
            return call(self.m, *inputs)

    return Call().eval()


def save_json(path, obj):
    with open(path, 'w') as f:
        json.dump(obj, f, separators=(',', ':'))


def write_preprocessor(out_dir, processor):
    try:
        d = processor.to_dict()
    except Exception:  # noqa: BLE001
        d = {}
    with open(os.path.join(out_dir, 'preprocessor_config.json'), 'w') as f:
        json.dump(d, f, indent=1, default=str)


def copy_tokenizer(kit, name, out_dir):
    for f in ('tokenizer.json', 'tokenizer_config.json'):
        with open(os.path.join(kit, name, f)) as src, open(os.path.join(out_dir, f), 'w') as dst:
            dst.write(src.read())


def vocab_size(tok):
    return tok.get_vocab_size(with_added_tokens=True)


def top_detections(boxes, scores, labels, k=100):
    order = np.argsort(-np.asarray(scores))[:k]
    return [
        {'box': [round(float(v), 4) for v in boxes[i]], 'score': round(float(scores[i]), 6), 'label': int(labels[i])}
        for i in order
    ]


# ---------------------------------------------------------------- families


def family_clip(a, torch, out_dir):
    """CLIP ViT-B/32 layout (Xenova/clip-vit-base-patch32): text_model.onnx input_ids → text_embeds,
    vision_model.onnx pixel_values → image_embeds; logits = 100 · cosine, softmax over prompts."""
    from transformers import (
        CLIPTextConfig,
        CLIPTextModelWithProjection,
        CLIPVisionConfig,
        CLIPVisionModelWithProjection,
    )

    tok = tokenizer(a.kit, 'clip-tokenizer')
    sot = tok.token_to_id('<|startoftext|>')
    eot = tok.token_to_id('<|endoftext|>')
    text_cfg = CLIPTextConfig(
        vocab_size=vocab_size(tok),
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=2,
        max_position_embeddings=77,
        projection_dim=512,
        bos_token_id=sot,
        eos_token_id=eot,
        pad_token_id=eot,
    )
    vis_cfg = CLIPVisionConfig(
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=2,
        image_size=224,
        patch_size=32,
        projection_dim=512,
    )
    text = CLIPTextModelWithProjection(text_cfg).eval()
    vision = CLIPVisionModelWithProjection(vis_cfg).eval()
    tnet = wrap(torch, text, lambda m, ids: m(input_ids=ids).text_embeds)
    vnet = wrap(torch, vision, lambda m, px: m(pixel_values=px).image_embeds)

    proc, proc_name = pil_processor(
        'clip',
        'CLIPImageProcessor',
        do_resize=True,
        size={'shortest_edge': 224},
        resample=3,
        do_center_crop=True,
        crop_size={'height': 224, 'width': 224},
        do_rescale=True,
        rescale_factor=1 / 255,
        do_normalize=True,
        image_mean=CLIP_MEAN,
        image_std=CLIP_STD,
        do_convert_rgb=True,
    )
    template = 'This is a photo of {}.'
    labels = ['room', 'street', 'document', 'chair']
    ids = [tok.encode(template.replace('{}', l)).ids for l in labels]
    r = {'processor': proc_name, 'template': template, 'labels': labels, 'token_ids': ids}
    ex_ids = torch.tensor([ids[0]], dtype=torch.int64)
    r['text_export'] = export(
        torch, tnet, (ex_ids,), os.path.join(out_dir, 'onnx', 'text_model.onnx'), ['input_ids'], ['text_embeds'],
        {'input_ids': {0: 'batch', 1: 'sequence'}, 'text_embeds': {0: 'batch'}},
    )
    ex_px = torch.rand(1, 3, 224, 224)
    r['vision_export'] = export(
        torch, vnet, (ex_px,), os.path.join(out_dir, 'onnx', 'vision_model.onnx'), ['pixel_values'], ['image_embeds'],
        {'pixel_values': {0: 'batch'}, 'image_embeds': {0: 'batch'}},
    )
    with torch.no_grad():
        text_embeds = [tnet(torch.tensor([i], dtype=torch.int64))[0].numpy() for i in ids]
        longest = torch.tensor([ids[2]], dtype=torch.int64)
        r['text_ort'], _ = ort_check(
            os.path.join(out_dir, 'onnx', 'text_model.onnx'), {'input_ids': longest.numpy()}, [tnet(longest).numpy()]
        )
    r['text_embeds'] = [[round(float(v), 6) for v in e] for e in text_embeds]
    t = np.stack(text_embeds)
    t = t / np.linalg.norm(t, axis=1, keepdims=True)
    r['images'] = []
    for name in IMAGES:
        img = load_image(a.kit, name)
        px = proc(images=img, return_tensors='pt')['pixel_values']
        with torch.no_grad():
            emb = vnet(px)[0].numpy()
        check, _ = ort_check(os.path.join(out_dir, 'onnx', 'vision_model.onnx'), {'pixel_values': px.numpy()}, [emb[None]])
        e = emb / np.linalg.norm(emb)
        logits = 100 * (t @ e)
        p = np.exp(logits - logits.max())
        p /= p.sum()
        r['images'].append(
            {
                'image': name,
                'pixel_values': {**stats(px.numpy()), 'sample': sample(px.numpy())},
                'image_embeds': [round(float(v), 6) for v in emb],
                'probabilities': [round(float(v), 6) for v in p],
                'ort': check,
            }
        )
    write_preprocessor(out_dir, proc)
    copy_tokenizer(a.kit, 'clip-tokenizer', out_dir)
    return r


def family_owlv2(a, torch, out_dir):
    """OWLv2 B/16 layout (Xenova/owlv2-base-patch16) at 960², tiny widths:
    input_ids, attention_mask [Q,S], pixel_values → logits [1,P,Q], pred_boxes [1,P,4]."""
    from transformers import Owlv2Config, Owlv2ForObjectDetection

    tok = tokenizer(a.kit, 'clip-tokenizer')
    sot = tok.token_to_id('<|startoftext|>')
    eot = tok.token_to_id('<|endoftext|>')
    cfg = Owlv2Config(
        text_config={
            'vocab_size': vocab_size(tok),
            'hidden_size': 32,
            'intermediate_size': 64,
            'num_hidden_layers': 2,
            'num_attention_heads': 2,
            'max_position_embeddings': 16,
            'bos_token_id': sot,
            'eos_token_id': eot,
            'pad_token_id': eot,
        },
        vision_config={
            'hidden_size': 32,
            'intermediate_size': 64,
            'num_hidden_layers': 2,
            'num_attention_heads': 2,
            'image_size': 960,
            'patch_size': 16,
        },
        projection_dim=32,
    )
    model = Owlv2ForObjectDetection(cfg).eval()

    def detect(m, input_ids, attention_mask, pixel_values):
        o = m(input_ids=input_ids, attention_mask=attention_mask, pixel_values=pixel_values)
        return o.logits, o.pred_boxes

    net = wrap(torch, model, detect)
    proc, proc_name = pil_processor(
        'owlv2',
        'Owlv2ImageProcessor',
        do_resize=True,
        size={'height': 960, 'width': 960},
        resample=2,
        do_pad=True,
        do_rescale=True,
        rescale_factor=1 / 255,
        do_normalize=True,
        image_mean=CLIP_MEAN,
        image_std=CLIP_STD,
    )
    labels = ['chair', 'door', 'person']
    # As the adapter encodes queries: each label alone, padded with the pad id to the longest.
    rows = [tok.encode(l).ids for l in labels]
    seq = max(len(x) for x in rows)
    ids = np.array([x + [eot] * (seq - len(x)) for x in rows], dtype=np.int64)
    mask = np.array([[1] * len(x) + [0] * (seq - len(x)) for x in rows], dtype=np.int64)
    r = {'processor': proc_name, 'labels': labels, 'input_ids': ids.tolist(), 'attention_mask': mask.tolist()}
    path = os.path.join(out_dir, 'onnx', 'model.onnx')
    r['export'] = export(
        torch, net, (torch.from_numpy(ids), torch.from_numpy(mask), torch.rand(1, 3, 960, 960)), path,
        ['input_ids', 'attention_mask', 'pixel_values'], ['logits', 'pred_boxes'],
        {'input_ids': {0: 'queries', 1: 'sequence'}, 'attention_mask': {0: 'queries', 1: 'sequence'},
         'pixel_values': {0: 'batch'}, 'logits': {0: 'batch', 2: 'queries'}, 'pred_boxes': {0: 'batch'}},
    )
    r['images'] = []
    for name in IMAGES:
        img = load_image(a.kit, name)
        px = proc(images=img, return_tensors='pt')['pixel_values']
        with torch.no_grad():
            o = model(input_ids=torch.from_numpy(ids), attention_mask=torch.from_numpy(mask), pixel_values=px)
        check, _ = ort_check(
            path, {'input_ids': ids, 'attention_mask': mask, 'pixel_values': px.numpy()},
            [o.logits.numpy(), o.pred_boxes.numpy()],
        )
        side = max(img.width, img.height)
        # Reference post-processing: boxes in the padded square's pixels = original pixels (top-left).
        post = proc.post_process_object_detection(o, threshold=0.0, target_sizes=torch.tensor([[side, side]]))[0]
        r['images'].append(
            {
                'image': name,
                'size': [img.width, img.height],
                'pixel_values': {**stats(px.numpy()), 'sample': sample(px.numpy())},
                'ort': check,
                'post_process_object_detection': top_detections(
                    post['boxes'].numpy(), post['scores'].numpy(), post['labels'].numpy(), 200
                ),
            }
        )
    write_preprocessor(out_dir, proc)
    copy_tokenizer(a.kit, 'clip-tokenizer', out_dir)
    with open(os.path.join(out_dir, 'config.json'), 'w') as f:
        f.write(cfg.to_json_string())
    return r


def family_gdino(a, torch, out_dir):
    """Grounding DINO tiny layout (onnx-community/grounding-dino-tiny-ONNX), tiny widths:
    pixel_values, pixel_mask, input_ids, token_type_ids, attention_mask → logits [1,900,256],
    pred_boxes [1,900,4]; one phrase per pass, as the adapter runs it."""
    from transformers import BertConfig, GroundingDinoConfig, GroundingDinoForObjectDetection, SwinConfig

    tok = tokenizer(a.kit, 'bert-tokenizer')
    backbone = SwinConfig(
        embed_dim=16,
        depths=[1, 1, 1, 1],
        num_heads=[1, 1, 2, 2],
        window_size=7,
        image_size=224,
        out_features=['stage2', 'stage3', 'stage4'],
    )
    text = BertConfig(
        vocab_size=max(vocab_size(tok), 32),
        hidden_size=32,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=64,
    )
    cfg = GroundingDinoConfig(
        backbone_config=backbone,
        text_config=text,
        d_model=32,
        encoder_layers=1,
        # Two decoder layers: the model ties bbox_embed.1.. to bbox_embed.0 and refuses nothing to tie.
        decoder_layers=2,
        encoder_ffn_dim=64,
        decoder_ffn_dim=64,
        encoder_attention_heads=2,
        decoder_attention_heads=2,
        encoder_n_points=2,
        decoder_n_points=2,
        num_queries=900,
        max_text_len=256,
    )
    model = GroundingDinoForObjectDetection(cfg).eval()

    def detect(m, pixel_values, pixel_mask, input_ids, token_type_ids, attention_mask):
        o = m(
            pixel_values=pixel_values,
            pixel_mask=pixel_mask,
            input_ids=input_ids,
            token_type_ids=token_type_ids,
            attention_mask=attention_mask,
        )
        return o.logits, o.pred_boxes

    net = wrap(torch, model, detect)
    proc, proc_name = pil_processor(
        'grounding_dino',
        'GroundingDinoImageProcessor',
        do_resize=True,
        size={'shortest_edge': 800, 'longest_edge': 1333},
        resample=2,
        do_rescale=True,
        rescale_factor=1 / 255,
        do_normalize=True,
        image_mean=IMAGENET_MEAN,
        image_std=IMAGENET_STD,
        do_pad=True,
    )
    phrases = ['chair', 'door']
    enc = {p: tok.encode(p + '.') for p in phrases}
    r = {'processor': proc_name, 'phrases': phrases, 'token_ids': {p: e.ids for p, e in enc.items()}}
    first = load_image(a.kit, IMAGES[0])
    f = proc(images=first, return_tensors='pt')
    e0 = enc[phrases[0]]
    args = (
        f['pixel_values'],
        f['pixel_mask'].to(torch.int64),
        torch.tensor([e0.ids], dtype=torch.int64),
        torch.tensor([e0.type_ids], dtype=torch.int64),
        torch.tensor([e0.attention_mask], dtype=torch.int64),
    )
    path = os.path.join(out_dir, 'onnx', 'model.onnx')
    names = ['pixel_values', 'pixel_mask', 'input_ids', 'token_type_ids', 'attention_mask']
    # The TorchScript exporter has no aten::isin (the special-token mask uses it): the same test as
    # a broadcast comparison, for the export only.
    isin, cummax = torch.isin, torch.cummax
    torch.isin = lambda elements, test_elements, **kw: (
        elements.unsqueeze(-1) == torch.as_tensor(test_elements, device=elements.device)
    ).any(-1)

    def running(x, dim, largest):
        # Nor aten::cummax / cummin (either exporter): the running extreme as a max over a
        # lower-triangular mask (the text is a few tokens long); ties give the last index, as torch.
        d = dim % x.dim()
        last = d == x.dim() - 1  # no movedim then: its Transpose exports with a negative perm
        xm = x if last else x.movedim(d, x.dim() - 1)
        xm = xm if largest else -xm
        n = xm.shape[-1]
        keep = torch.ones(n, n, dtype=torch.bool, device=x.device).tril()
        low = torch.finfo(xm.dtype).min if xm.is_floating_point() else torch.iinfo(xm.dtype).min
        m = xm.unsqueeze(-2).expand(*xm.shape[:-1], n, n).masked_fill(~keep, low)
        values = m.max(-1).values
        values = values if largest else -values
        indices = (n - 1) - m.flip(-1).argmax(-1)
        if last:
            return values, indices
        return values.movedim(x.dim() - 1, d), indices.movedim(x.dim() - 1, d)

    eye = torch.eye

    def eye_traceable(n, m=None, *, dtype=None, device=None, **kw):
        # ORT has no boolean EyeLike, which torch.eye(bool) exports to: an arange comparison.
        r = torch.arange(n, device=device).unsqueeze(1) == torch.arange(n if m is None else m, device=device)
        return r if dtype in (None, torch.bool) else r.to(dtype)

    torch.eye = eye_traceable
    cummin, t_cummax, t_cummin = torch.cummin, torch.Tensor.cummax, torch.Tensor.cummin
    torch.cummax = torch.Tensor.cummax = lambda x, dim: torch.return_types.cummax(list(running(x, dim, True)))
    torch.cummin = torch.Tensor.cummin = lambda x, dim: torch.return_types.cummin(list(running(x, dim, False)))
    try:
        r['export'] = export(
            torch, net, args, path, names, ['logits', 'pred_boxes'],
        {'pixel_values': {0: 'batch', 2: 'height', 3: 'width'}, 'pixel_mask': {0: 'batch', 1: 'height', 2: 'width'},
             'input_ids': {0: 'batch', 1: 'sequence'}, 'token_type_ids': {0: 'batch', 1: 'sequence'},
             'attention_mask': {0: 'batch', 1: 'sequence'}, 'logits': {0: 'batch'}, 'pred_boxes': {0: 'batch'}},
        )
    finally:
        torch.isin, torch.cummax, torch.cummin, torch.eye = isin, cummax, cummin, eye
        torch.Tensor.cummax, torch.Tensor.cummin = t_cummax, t_cummin
    r['images'] = []
    for name in IMAGES:
        img = load_image(a.kit, name)
        f = proc(images=img, return_tensors='pt')
        per = {'image': name, 'size': [img.width, img.height],
               'pixel_values': {**stats(f['pixel_values'].numpy()), 'sample': sample(f['pixel_values'].numpy())},
               'phrases': {}}
        for p in phrases:
            e = enc[p]
            feeds = {
                'pixel_values': f['pixel_values'].numpy(),
                'pixel_mask': f['pixel_mask'].to(torch.int64).numpy(),
                'input_ids': np.array([e.ids], dtype=np.int64),
                'token_type_ids': np.array([e.type_ids], dtype=np.int64),
                'attention_mask': np.array([e.attention_mask], dtype=np.int64),
            }
            with torch.no_grad():
                o = model(**{k: torch.from_numpy(v) for k, v in feeds.items()})
            try:
                check, _ = ort_check(path, feeds, [o.logits.numpy(), o.pred_boxes.numpy()])
            except Exception as ex:  # noqa: BLE001 - a static export takes one image size
                check = {'error': f'{type(ex).__name__}: {ex}'[:500]}
            # The reference post-processing without the tokenizer-dependent phrase text: scores and boxes.
            try:
                post = proc.post_process_object_detection(
                    o, threshold=0.0, target_sizes=torch.tensor([[img.height, img.width]])
                )[0]
                dets = top_detections(post['boxes'].numpy(), post['scores'].numpy(), post['labels'].numpy(), 200)
                how = 'image_processor.post_process_object_detection'
            except Exception as ex:  # noqa: BLE001
                dets, how = [], f'failed: {type(ex).__name__}: {ex}'
            # What post_process_grounded_object_detection computes: max sigmoid over token positions.
            probs = torch.sigmoid(o.logits[0])
            T = len(e.ids)
            per['phrases'][p] = {
                'ort': check,
                'post': how,
                'detections': dets,
                'grounded_top': top_detections(
                    _cxcywh_to_xyxy(o.pred_boxes[0].numpy(), img.width, img.height),
                    probs[:, :T].max(dim=-1).values.numpy(),
                    np.zeros(probs.shape[0]),
                    200,
                ),
                'logits_valid_tokens': T,
            }
        r['images'].append(per)
    write_preprocessor(out_dir, proc)
    copy_tokenizer(a.kit, 'bert-tokenizer', out_dir)
    return r


def _cxcywh_to_xyxy(b, w, h):
    cx, cy, bw, bh = b[:, 0], b[:, 1], b[:, 2], b[:, 3]
    return np.stack([(cx - bw / 2) * w, (cy - bh / 2) * h, (cx + bw / 2) * w, (cy + bh / 2) * h], axis=1)


def family_slimsam(a, torch, out_dir):
    """SlimSAM box-prompt layout (Xenova/slimsam-77-uniform, revision "boxes") from a tiny SamModel:
    vision_encoder.onnx pixel_values → image_embeddings, image_positional_embeddings;
    prompt_encoder_mask_decoder.onnx (+ input_boxes) → iou_scores, pred_masks."""
    from transformers import SamConfig, SamModel

    cfg = SamConfig(
        vision_config={
            'hidden_size': 32,
            'num_hidden_layers': 2,
            'num_attention_heads': 2,
            'mlp_dim': 64,
            'output_channels': 256,
            'image_size': 1024,
            'patch_size': 16,
            'window_size': 14,
            'global_attn_indexes': [1],
        },
        prompt_encoder_config={'hidden_size': 256},
        mask_decoder_config={'hidden_size': 256, 'num_hidden_layers': 1, 'mlp_dim': 64, 'iou_head_hidden_dim': 32},
    )
    model = SamModel(cfg).eval()

    def encode(m, pixel_values):
        emb = m.get_image_embeddings(pixel_values)
        pos = m.get_image_wide_positional_embeddings().repeat(pixel_values.shape[0], 1, 1, 1)
        return emb, pos

    def decode(m, image_embeddings, image_positional_embeddings, input_boxes):
        o = m(image_embeddings=image_embeddings, input_boxes=input_boxes, multimask_output=True)
        # The positional input is the model's own constant; kept as an input as the public export has it.
        return o.iou_scores + 0 * image_positional_embeddings.mean(), o.pred_masks

    enc, dec = wrap(torch, model, encode), wrap(torch, model, decode)
    proc, proc_name = pil_processor(
        'sam',
        'SamImageProcessor',
        do_resize=True,
        size={'longest_edge': 1024},
        resample=2,
        do_rescale=True,
        rescale_factor=1 / 255,
        do_normalize=True,
        image_mean=IMAGENET_MEAN,
        image_std=IMAGENET_STD,
        do_pad=True,
        pad_size={'height': 1024, 'width': 1024},
    )
    boxes = {'corridor.png': [[100, 120, 300, 400], [350, 40, 620, 300]], 'juneau.png': [[40, 60, 420, 330]]}
    enc_path = os.path.join(out_dir, 'onnx', 'vision_encoder.onnx')
    dec_path = os.path.join(out_dir, 'onnx', 'prompt_encoder_mask_decoder.onnx')
    x = torch.rand(1, 3, 1024, 1024)
    r = {'processor': proc_name, 'boxes': boxes}
    r['encoder_export'] = export(
        torch, enc, (x,), enc_path, ['pixel_values'], ['image_embeddings', 'image_positional_embeddings'],
        {'pixel_values': {0: 'batch'}, 'image_embeddings': {0: 'batch'}, 'image_positional_embeddings': {0: 'batch'}},
    )
    with torch.no_grad():
        emb0, pos0 = enc(x)
    r['decoder_export'] = export(
        torch, dec, (emb0, pos0, torch.tensor([[[10.0, 20.0, 300.0, 400.0], [5.0, 5.0, 100.0, 90.0]]])), dec_path,
        ['image_embeddings', 'image_positional_embeddings', 'input_boxes'], ['iou_scores', 'pred_masks'],
        {'image_embeddings': {0: 'batch'}, 'image_positional_embeddings': {0: 'batch'},
         'input_boxes': {0: 'batch', 1: 'boxes'}, 'iou_scores': {0: 'batch', 1: 'point_batch'},
         'pred_masks': {0: 'batch', 1: 'point_batch'}},
    )
    r['images'] = []
    for name in IMAGES:
        img = load_image(a.kit, name)
        f = proc(images=img, return_tensors='pt')
        px = f['pixel_values']
        original = [img.height, img.width]
        if 'reshaped_input_sizes' in f:
            reshaped = [int(v) for v in f['reshaped_input_sizes'][0]]
        else:  # the longest-edge rule SamImageProcessor applies
            scale = 1024 / max(original)
            reshaped = [int(original[0] * scale + 0.5), int(original[1] * scale + 0.5)]
        # Box coordinates into the resized frame, as SamProcessor does: scale by reshaped / original.
        sy, sx = reshaped[0] / original[0], reshaped[1] / original[1]
        bx = torch.tensor([[[b[0] * sx, b[1] * sy, b[2] * sx, b[3] * sy] for b in boxes[name]]], dtype=torch.float32)
        with torch.no_grad():
            emb, pos = enc(px)
            iou, low = dec(emb, pos, bx)
        check_e, _ = ort_check(enc_path, {'pixel_values': px.numpy()}, [emb.numpy(), pos.numpy()])
        check_d, _ = ort_check(
            dec_path,
            {'image_embeddings': emb.numpy(), 'image_positional_embeddings': pos.numpy(), 'input_boxes': bx.numpy()},
            [iou.numpy(), low.numpy()],
        )
        masks = proc.post_process_masks(
            low, torch.tensor([original]), torch.tensor([reshaped]), mask_threshold=0.0, binarize=True
        )[0]
        per_box = []
        for i in range(len(boxes[name])):
            scores = iou[0, i].numpy()
            per_box.append(
                {
                    'box': boxes[name][i],
                    'input_box_1024': [round(float(v), 4) for v in bx[0, i]],
                    'iou_scores': [round(float(v), 6) for v in scores],
                    'best': int(np.argmax(scores)),
                    'masks': [rle(masks[i, k].numpy()) for k in range(masks.shape[1])],
                    'areas': [int(masks[i, k].sum()) for k in range(masks.shape[1])],
                }
            )
        r['images'].append(
            {
                'image': name,
                'size': [img.width, img.height],
                'reshaped_input_size': reshaped,
                'pixel_values': {**stats(px.numpy()), 'sample': sample(px.numpy())},
                'image_embeddings': stats(emb.numpy()),
                'ort': {'encoder': check_e, 'decoder': check_d},
                'boxes': per_box,
            }
        )
    write_preprocessor(out_dir, proc)
    with open(os.path.join(out_dir, 'config.json'), 'w') as f:
        f.write(cfg.to_json_string())
    return r


def family_depth(a, torch, out_dir):
    """Depth Anything V2 metric layout (the optimum/transformers export of the -hf checkpoints),
    tiny DINOv2: pixel_values [B,3,H,W] → predicted_depth [B,H,W], head Sigmoid × max_depth."""
    from transformers import DepthAnythingConfig, DepthAnythingForDepthEstimation, Dinov2Config

    backbone = Dinov2Config(
        hidden_size=32,
        num_hidden_layers=4,
        num_attention_heads=2,
        mlp_ratio=2,
        image_size=518,
        patch_size=14,
        out_indices=[1, 2, 3, 4],
        reshape_hidden_states=False,
    )
    cfg = DepthAnythingConfig(
        backbone_config=backbone,
        reassemble_hidden_size=32,
        fusion_hidden_size=16,
        neck_hidden_sizes=[8, 16, 32, 64],
        head_hidden_size=8,
        reassemble_factors=[4, 2, 1, 0.5],
        depth_estimation_type='metric',
        max_depth=20,
    )
    model = DepthAnythingForDepthEstimation(cfg).eval()
    net = wrap(torch, model, lambda m, pixel_values: m(pixel_values=pixel_values).predicted_depth)
    proc, proc_name = pil_processor(
        'dpt',
        'DPTImageProcessor',
        do_resize=True,
        size={'height': 518, 'width': 518},
        keep_aspect_ratio=True,
        ensure_multiple_of=14,
        resample=3,
        do_rescale=True,
        rescale_factor=1 / 255,
        do_normalize=True,
        image_mean=IMAGENET_MEAN,
        image_std=IMAGENET_STD,
        do_pad=False,
    )
    path = os.path.join(out_dir, 'onnx', 'model.onnx')
    first = proc(images=load_image(a.kit, IMAGES[0]), return_tensors='pt')['pixel_values']
    r = {'processor': proc_name, 'max_depth': 20}
    r['export'] = export(
        torch, net, (first,), path, ['pixel_values'], ['predicted_depth'],
        {'pixel_values': {0: 'batch', 2: 'height', 3: 'width'}, 'predicted_depth': {0: 'batch', 1: 'height', 2: 'width'}},
    )
    r['images'] = []
    for name in IMAGES:
        img = load_image(a.kit, name)
        px = proc(images=img, return_tensors='pt')['pixel_values']
        with torch.no_grad():
            o = model(pixel_values=px)
        try:
            check, _ = ort_check(path, {'pixel_values': px.numpy()}, [o.predicted_depth.numpy()])
        except Exception as ex:  # noqa: BLE001 - a size the traced export cannot take is a finding
            check = {'error': f'{type(ex).__name__}: {ex}'[:500]}
        post = proc.post_process_depth_estimation(o, target_sizes=[(img.height, img.width)])[0]['predicted_depth']
        d = post.numpy()
        # Every 8th pixel of every 8th row: a 80×60 (or so) map to compare point by point.
        r['images'].append(
            {
                'image': name,
                'size': [img.width, img.height],
                'network_size': [int(px.shape[3]), int(px.shape[2])],
                'pixel_values': {**stats(px.numpy()), 'sample': sample(px.numpy())},
                'predicted_depth_network': stats(o.predicted_depth.numpy()),
                'ort': check,
                'depth': {**stats(d), 'median': float(np.median(d)),
                          'grid_step': 8, 'grid': [[round(float(v), 5) for v in row] for row in d[::8, ::8]]},
            }
        )
    write_preprocessor(out_dir, proc)
    with open(os.path.join(out_dir, 'config.json'), 'w') as f:
        f.write(cfg.to_json_string())
    return r


FAMILIES = {
    'clip': family_clip,
    'owlv2': family_owlv2,
    'gdino': family_gdino,
    'slimsam': family_slimsam,
    'depth': family_depth,
}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('kit')
    ap.add_argument('out')
    ap.add_argument('--only', default=','.join(FAMILIES))
    ap.add_argument('--threads', type=int, default=4)
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    import torch
    import transformers

    torch.set_num_threads(a.threads)
    summary = {
        'python': sys.version.split()[0],
        'torch': torch.__version__,
        'transformers': transformers.__version__,
        'seed': SEED,
        'families': {},
    }
    try:
        import onnxruntime

        summary['onnxruntime'] = onnxruntime.__version__
    except Exception:  # noqa: BLE001
        pass
    for name in a.only.split(','):
        t0 = time.time()
        out_dir = os.path.join(a.out, name)
        os.makedirs(out_dir, exist_ok=True)
        torch.manual_seed(SEED)
        print(f'{name}: building, exporting, running the reference', flush=True)
        try:
            r = FAMILIES[name](a, torch, out_dir)
            r['seconds'] = round(time.time() - t0, 1)
            save_json(os.path.join(out_dir, 'expected.json'), r)
            summary['families'][name] = {'ok': True, 'seconds': r['seconds']}
        except Exception as e:  # noqa: BLE001 - one family's failure must not stop the others
            summary['families'][name] = {
                'ok': False,
                'error': f'{type(e).__name__}: {e}'[:2000],
                'trace': traceback.format_exc()[-4000:],
                'seconds': round(time.time() - t0, 1),
            }
        print(f'{name}: {json.dumps(summary["families"][name])[:1500]}', flush=True)
        save_json(os.path.join(a.out, 'summary.json'), summary)


if __name__ == '__main__':
    main()
