#!/bin/bash
# The GPU-machine run for the perception runtime (issue 19), prepared so a session that is lent a GPU
# spends its minutes measuring, not writing scripts. One call does everything, sized to end well
# inside the device time so that a failed first try leaves room for one rerun.
#
# Here, once (after npm install):
#   bash ../shared/device/pack.sh                              # .device/: node + ORT-node + Vulkan loader
#   node bench/device/pack-bench.mjs                           # .device-bench/: the bundled Node half
#   node bin/run-ts.mjs native-models/testing/reference/prepare.ts   # the reference kit (committed)
# Device tool, carry [".device", ".device-bench"]:
#   bash bench/device/run.sh all        # ~6-8 min on an H200
# Phases (each also alone): reference (tiny models through the transformers processors, on the CPU,
# in parallel with) export (random-weight full-size exports + PyTorch CUDA timings), measure
# (ORT-node WebGPU and CPU timings, resize graphs, the depth adapter, 2 sessions in flight),
# pipeline (the whole pipeline on 200 frames, 1 and 2 inference threads, GPU utilisation sampled).
# What comes back ($OUT, at most 8 files): results.tar.gz (every JSON, log and CSV), reference.tar.gz
# (the fixtures: bring them into native-models/testing/reference/fixtures), and the table printed last.
set -uo pipefail
phase=${1:-all}
models=/tmp/device-models
res=/tmp/device-results
ref=/tmp/device-reference
OUT=${OUT:-bench/.work/device-out}
mkdir -p "$models" "$res" "$ref" "$OUT"
want() { [ "$phase" = all ] || [[ ",$phase," == *",$1,"* ]]; }
pack() { tar -C "$res" -czf "$OUT/results.tar.gz" . 2>/dev/null; }
# shellcheck disable=SC1091
source .device/on-device.sh >"$res/on-device.log" 2>&1
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv >"$res/gpu.txt" 2>&1
nproc >"$res/cpus.txt"
start=$(date +%s)
stamp() { echo "$(($(date +%s) - start)) s: $*" | tee -a "$res/phases.log"; }

if want reference; then
  stamp "reference fixtures start (background, 4 CPU threads)"
  (PYTHONUNBUFFERED=1 timeout 200 python3 native-models/testing/reference/make_reference.py \
    native-models/testing/reference/kit "$ref" --threads 4 \
    --only "${REF_ONLY:-clip,owlv2,gdino,slimsam,depth}" >"$res/reference.log" 2>&1
  echo "reference exit $?" >>"$res/reference.log") &
  refpid=$!
fi

if want export; then
  stamp "export start"
  PYTHONUNBUFFERED=1 timeout 200 python3 .device-bench/export_models.py "$models" --runs 10 \
    --variants opt --only "${EXPORT_ONLY:-depth,sam,owlv2}" >"$res/export.log" 2>&1
  echo "export exit $?" >>"$res/export.log"
  cp "$models/torch.json" "$models/shapes.json" "$res/" 2>/dev/null
  ls -la "$models" >>"$res/export.log"
  stamp "export done"
  pack
fi

if want reference; then
  wait "$refpid"
  cp "$ref/summary.json" "$res/reference-summary.json" 2>/dev/null
  tar -C "$ref" -czf "$OUT/reference.tar.gz" . && du -h "$OUT/reference.tar.gz" >>"$res/reference.log"
  stamp "reference fixtures done"
  pack
fi

if want measure; then
  stamp "measure start"
  # GPU busy share while the WebGPU pass runs: utilisation sampled every 200 ms.
  nvidia-smi --query-gpu=timestamp,utilization.gpu,memory.used --format=csv,noheader -lms 200 \
    >"$res/gpu-util.csv" 2>/dev/null &
  sampler=$!
  # --in-flight 2 runs two worker threads at once: on WebGPU that crashed ORT-node 1.30 (first run).
  timeout 150 node .device-bench/device-bench.cjs --models "$models" --device webgpu --runs 10 \
    --in-flight "${IN_FLIGHT:-1}" --out "$res/webgpu.json" >/dev/null 2>"$res/webgpu.log"
  echo "webgpu exit $?" >>"$res/webgpu.log"
  kill "$sampler" 2>/dev/null
  stamp "webgpu done"
  pack
  # The CPU provider for the depth export only (SAM and OWLv2 take seconds a run there).
  timeout 40 node .device-bench/device-bench.cjs --models "$models" --device cpu --runs 5 \
    --match '^depth_anything_v2_small\.onnx$' --out "$res/cpu.json" >/dev/null 2>"$res/cpu.log"
  echo "cpu exit $?" >>"$res/cpu.log"
  stamp "cpu done"
  pack
fi

if want procs; then
  # Two sessions in flight as two processes (two threads crashed): each one's median against one alone.
  stamp "procs start"
  for f in depth_anything_v2_small.onnx depth_anything_v2_small.opt.fp16.onnx; do
    [ -f "$models/$f" ] || continue
    m="^$(echo "$f" | sed 's/\./\\./g')\$"
    timeout 40 node .device-bench/device-bench.cjs --models "$models" --device webgpu --runs 40 \
      --match "$m" --out "$res/procs-1-$f.json" >/dev/null 2>>"$res/procs.log"
    timeout 60 node .device-bench/device-bench.cjs --models "$models" --device webgpu --runs 40 \
      --match "$m" --out "$res/procs-2a-$f.json" >/dev/null 2>>"$res/procs.log" &
    timeout 60 node .device-bench/device-bench.cjs --models "$models" --device webgpu --runs 40 \
      --match "$m" --out "$res/procs-2b-$f.json" >/dev/null 2>>"$res/procs.log"
    wait
  done
  stamp "procs done"
  pack
fi

if want pipeline; then
  depth=$models/depth_anything_v2_small.onnx
  if [ ! -f "$depth" ]; then
    timeout 120 python3 .device-bench/export_models.py "$models" --only depth --runs 5 --variants '' \
      >"$res/export-depth.log" 2>&1
  fi
  # sharp + libvips and better-sqlite3 beside onnxruntime-node; ESM imports look next to the bundle.
  tar -C /tmp/device-runtime -xJf .device-bench/native.tar.xz
  ln -sfn /tmp/device-runtime/node_modules .device-bench/pipeline/node_modules
  nvidia-smi --query-gpu=timestamp,utilization.gpu,memory.used --format=csv,noheader -lms 200 \
    >"$res/gpu-util-pipeline.csv" 2>/dev/null &
  sampler=$!
  stamp "pipeline start"
  timeout 100 node .device-bench/pipeline/pipeline-device.mjs --depth-model "$depth" \
    --device "${PIPELINE_DEVICE:-webgpu}" --images "${PIPELINE_IMAGES:-200}" --threads 1,2 \
    --out "$res/pipeline.json" >/dev/null 2>"$res/pipeline.log"
  echo "pipeline exit $?" >>"$res/pipeline.log"
  # The same with the fused fp16 depth export, where the export phase wrote one.
  if [ -f "$models/depth_anything_v2_small.opt.fp16.onnx" ]; then
    timeout 60 node .device-bench/pipeline/pipeline-device.mjs \
      --depth-model "$models/depth_anything_v2_small.opt.fp16.onnx" --device webgpu \
      --images "${PIPELINE_IMAGES:-200}" --threads 1 --out "$res/pipeline-fp16.json" >/dev/null \
      2>"$res/pipeline-fp16.log"
    echo "pipeline fp16 exit $?" >>"$res/pipeline-fp16.log"
  fi
  kill "$sampler" 2>/dev/null
  stamp "pipeline done"
  tail -3 "$res/pipeline.log"
  # GPU busy share over the pipeline runs: mean utilisation of the samples.
  awk -F', ' '{ gsub(/ %/, "", $2); s += $2; n++ } END { if (n) printf "GPU utilisation during the pipeline runs: mean %.0f %% of %d samples\n", s / n, n }' \
    "$res/gpu-util-pipeline.csv" | tee "$res/gpu-util-pipeline.txt"
  pack
fi

node -e '
const fs = require("fs"), dir = process.argv[1];
const read = (f) => { try { return JSON.parse(fs.readFileSync(dir + "/" + f, "utf8")); } catch { return null; } };
const s = read("reference-summary.json");
if (s) for (const [k, v] of Object.entries(s.families)) console.log("reference", k, v.ok ? "ok " + v.seconds + " s" : (v.error || "").slice(0, 300));
const t = read("torch.json");
if (t) for (const [k, v] of Object.entries(t.families)) console.log("torch", k, JSON.stringify(v).slice(0, 400));
for (const f of ["webgpu.json", "cpu.json"]) {
  const r = read(f); if (!r) continue;
  for (const [k, v] of Object.entries(r.files)) console.log(k, JSON.stringify(v));
  for (const [k, v] of Object.entries(r.inFlight || {})) console.log("in flight", k, JSON.stringify(v));
  for (const [k, v] of Object.entries(r.resize)) console.log("resize", k, JSON.stringify(v));
  for (const [k, v] of Object.entries(r.depthAdapter)) console.log("adapter", k, JSON.stringify(v));
}
for (const f of fs.readdirSync(dir).filter((f) => f.startsWith("procs-"))) {
  const r = read(f); if (r) for (const [k, v] of Object.entries(r.files)) console.log(f, k, JSON.stringify(v));
}
for (const f of ["pipeline.json", "pipeline-fp16.json"]) {
  const p = read(f);
  if (p) for (const [k, v] of Object.entries(p.runs)) console.log(f, k, JSON.stringify(v));
}' "$res" | tee "$OUT/table.txt"
cat "$res/phases.log"
pack
