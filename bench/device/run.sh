#!/bin/bash
# The GPU-machine measurement for the perception runtime, prepared so a session that is lent a GPU
# spends its 15 minutes measuring, not writing scripts. Never run yet: no GPU was lent so far.
#
# Here, once (after npm install):
#   bash ../shared/device/pack.sh        # .device/: node + onnxruntime-node + the Vulkan loader
#   node bench/device/pack-bench.mjs     # .device-bench/: bench/device-bench.ts bundled + the exporter
# Device tool (carry [".device", ".device-bench"]), one call per phase so each stays under 10 min:
#   bash bench/device/run.sh export      # random-weight exports + PyTorch CUDA timings (~5 min?)
#   bash bench/device/run.sh measure     # ORT-node WebGPU and CPU timings, resize graphs, adapter
#   bash bench/device/run.sh pipeline    # the whole pipeline with the depth export on WebGPU, 1 and
#                                        # 2 inference threads (exports the depth model alone if the
#                                        # export phase did not run on this machine: ~1 min)
# The exports stay in bench/.work/device-models on the warm machine between the two calls; results
# go to $OUT (returned by the tool), and a short table is printed last.
set -uo pipefail
phase=${1:-all}
models=bench/.work/device-models
out=${OUT:-bench/.work/device-out}
mkdir -p "$models" "$out"
# shellcheck disable=SC1091
source .device/on-device.sh
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv >"$out/gpu.txt" 2>&1

if [ "$phase" = export ] || [ "$phase" = all ]; then
  timeout 480 python3 .device-bench/export_models.py "$models" --runs 20 >"$out/export.log" 2>&1
  echo "export exit $?" >>"$out/export.log"
  cp "$models/torch.json" "$models/shapes.json" "$out/" 2>/dev/null
  ls -la "$models" >>"$out/export.log"
fi

if [ "$phase" = measure ] || [ "$phase" = all ]; then
  # GPU busy share while the WebGPU pass runs: utilisation sampled every 200 ms.
  nvidia-smi --query-gpu=timestamp,utilization.gpu,memory.used --format=csv,noheader -lms 200 \
    >"$out/gpu-util.csv" 2>/dev/null &
  sampler=$!
  timeout 420 node .device-bench/device-bench.cjs --models "$models" --device webgpu --runs 20 \
    --in-flight 2 --out "$out/webgpu.json" >/dev/null 2>"$out/webgpu.log"
  echo "webgpu exit $?" >>"$out/webgpu.log"
  kill "$sampler" 2>/dev/null
  # The CPU provider only for the plain exports, few runs: SAM and OWLv2 take seconds there.
  timeout 150 node .device-bench/device-bench.cjs --models "$models" --device cpu --runs 5 \
    --match '^[a-z0-9_]+\.onnx$' --out "$out/cpu.json" >/dev/null 2>"$out/cpu.log"
  echo "cpu exit $?" >>"$out/cpu.log"
fi

if [ "$phase" = pipeline ] || [ "$phase" = all ]; then
  depth=$models/depth_anything_v2_small.onnx
  if [ ! -f "$depth" ]; then
    timeout 240 python3 .device-bench/export_models.py "$models" --only depth --runs 5 \
      >"$out/export-depth.log" 2>&1
  fi
  # sharp + libvips and better-sqlite3 beside onnxruntime-node; ESM imports look next to the bundle.
  tar -C /tmp/device-runtime -xJf .device-bench/native.tar.xz
  ln -sfn /tmp/device-runtime/node_modules .device-bench/pipeline/node_modules
  nvidia-smi --query-gpu=timestamp,utilization.gpu,memory.used --format=csv,noheader -lms 200 \
    >"$out/gpu-util-pipeline.csv" 2>/dev/null &
  sampler=$!
  timeout 360 node .device-bench/pipeline/pipeline-device.mjs --depth-model "$depth" \
    --device "${PIPELINE_DEVICE:-webgpu}" --images "${PIPELINE_IMAGES:-200}" --threads 1,2 \
    --out "$out/pipeline.json" >/dev/null \
    2>"$out/pipeline.log"
  echo "pipeline exit $?" >>"$out/pipeline.log"
  kill "$sampler" 2>/dev/null
  tail -3 "$out/pipeline.log"
  # GPU busy share over the pipeline runs: mean utilisation of the samples.
  awk -F', ' '{ gsub(/ %/, "", $2); s += $2; n++ } END { if (n) printf "GPU utilisation during the pipeline runs: mean %.0f %% of %d samples\n", s / n, n }' \
    "$out/gpu-util-pipeline.csv"
fi

node -e '
const fs = require("fs"), dir = process.argv[1];
const read = (f) => { try { return JSON.parse(fs.readFileSync(dir + "/" + f, "utf8")); } catch { return null; } };
const t = read("torch.json");
if (t) for (const [k, v] of Object.entries(t.families)) console.log("torch", k, JSON.stringify(v).slice(0, 400));
for (const f of ["webgpu.json", "cpu.json"]) {
  const r = read(f); if (!r) continue;
  for (const [k, v] of Object.entries(r.files)) console.log(k, JSON.stringify(v));
  for (const [k, v] of Object.entries(r.inFlight || {})) console.log("in flight", k, JSON.stringify(v));
  for (const [k, v] of Object.entries(r.resize)) console.log("resize", k, JSON.stringify(v));
  for (const [k, v] of Object.entries(r.depthAdapter)) console.log("adapter", k, JSON.stringify(v));
}
const p = read("pipeline.json");
if (p) for (const [k, { notices, ...v }] of Object.entries(p.runs)) console.log("pipeline", k, JSON.stringify(v));' "$out"
