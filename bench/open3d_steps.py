"""Open3D's side of bench/spatial-bench.ts --open3d: the same frames, steps and parameters.

Reads DIR/manifest.json written by bench/open3d-compare.ts (depth maps as float32 metres, the
intrinsics, the frame-search stride, per object the mask pixels our box -> mask step derived and
our voxel size / DBSCAN eps), times each step per frame (median over the runs) and prints one JSON
line: {"open3d": version, "threads": n, "steps": {step: median ms per frame}}.

Steps (ours in brackets):
  lift-frame   create_from_depth_image with the same stride      [liftDepth inside estimateFrame]
  floor        segment_plane(0.02 m, 3, 200 iterations), once     [estimateFrame: cone-limited
               sequential RANSAC, up to 5 planes, refit]
  lift-objects the mask pixels to points (numpy), per object      [liftTransformedInto]
  clean-up     voxel_down_sample + cluster_dbscan(eps, 3),        [cleanObjectCloud: voxels,
               points of the largest cluster                       neighbour lists, DBSCAN]
  boxes        AABB + oriented box of the kept points             [noise-aware smoothing +
                                                                   measureObject]
Box -> mask has no Open3D counterpart; both sides start from the same masks.
"""

import json
import os
import sys
import time

import numpy as np
import open3d as o3d


def main() -> None:
    folder = sys.argv[1]
    runs = int(sys.argv[2])
    with open(os.path.join(folder, "manifest.json")) as f:
        manifest = json.load(f)
    o3d.utility.set_verbosity_level(o3d.utility.VerbosityLevel.Error)
    frames = []
    for fr in manifest["frames"]:
        depth = np.fromfile(os.path.join(folder, fr["depth"]), dtype=np.float32)
        depth = depth.reshape(fr["height"], fr["width"])
        objects = [
            (np.fromfile(os.path.join(folder, o["pixels"]), dtype=np.int32), o["voxel"], o["eps"])
            for o in fr["objects"]
        ]
        frames.append((fr, depth, objects))

    steps = {k: [] for k in ["lift-frame", "floor", "lift-objects", "clean-up", "boxes"]}
    for r in range(runs + 1):  # the first pass warms up
        fr, depth, objects = frames[r % len(frames)]
        k = fr["k"]
        w, h = fr["width"], fr["height"]
        intr = o3d.camera.PinholeCameraIntrinsic(w, h, k["fx"], k["fy"], k["cx"], k["cy"])
        t = {s: 0.0 for s in steps}
        t0 = time.perf_counter()
        img = o3d.geometry.Image(depth)
        pcd = o3d.geometry.PointCloud.create_from_depth_image(
            img, intr, depth_scale=1.0, depth_trunc=1000.0, stride=fr["stride"]
        )
        t1 = time.perf_counter()
        pcd.segment_plane(distance_threshold=0.02, ransac_n=3, num_iterations=200)
        t2 = time.perf_counter()
        t["lift-frame"] += t1 - t0
        t["floor"] += t2 - t1
        flat = depth.reshape(-1)
        for pixels, voxel, eps in objects:
            a = time.perf_counter()
            z = flat[pixels]
            ok = z > 0
            px = pixels[ok]
            z = z[ok].astype(np.float64)
            u = px % w
            v = px // w
            xyz = np.stack([(u - k["cx"]) / k["fx"] * z, (v - k["cy"]) / k["fy"] * z, z], axis=1)
            cloud = o3d.geometry.PointCloud(o3d.utility.Vector3dVector(xyz))
            b = time.perf_counter()
            vox = cloud.voxel_down_sample(voxel)
            labels = np.asarray(vox.cluster_dbscan(eps=eps, min_points=3))
            main_cluster = vox
            if labels.size > 0 and labels.max() >= 0:
                best = np.bincount(labels[labels >= 0]).argmax()
                main_cluster = vox.select_by_index(np.flatnonzero(labels == best).tolist())
            c = time.perf_counter()
            if len(main_cluster.points) >= 4:
                main_cluster.get_axis_aligned_bounding_box()
                try:
                    main_cluster.get_oriented_bounding_box()
                except RuntimeError:
                    pass  # degenerate (flat) cluster: Qhull refuses, as it would in use
            d = time.perf_counter()
            t["lift-objects"] += b - a
            t["clean-up"] += c - b
            t["boxes"] += d - c
        if r > 0:
            for s in steps:
                steps[s].append(t[s] * 1000)
    threads = os.environ.get("OMP_NUM_THREADS", "default")
    print(
        json.dumps(
            {
                "open3d": o3d.__version__,
                "threads": threads,
                "steps": {s: float(np.median(v)) for s, v in steps.items()},
            }
        )
    )


if __name__ == "__main__":
    main()
