// Bench page (#/bench/3d): the 3D viewer's renderer on a synthetic cloud, orbiting the camera one
// step per animation frame. Frame time = the interval between animation frames while every frame
// redraws (what a user sees while dragging), with the level of detail on (camera moving) and off.
// Driven by e2e/viewer3d.spec.ts through window.sqwBench3d; results also land in data-result.
import { useEffect, useRef, useState } from 'react';
import { colorsForIds } from './cloud-colors';
import { SceneRenderer } from './scene-renderer';
import { syntheticScene } from './synthetic-cloud';

export interface FrameTimes {
  points: number;
  lod: boolean;
  drawnPoints: number;
  /** The LOD found the frame time does not follow the point count. */
  notPointBound: boolean;
  frames: number;
  medianMs: number;
  p95Ms: number;
  /** Median of the last half of the frames (after the LOD budget settled). */
  settledMedianMs: number;
  renderCallMedianMs: number;
  buildMs: number;
}

declare global {
  interface Window {
    sqwBench3d?: { run(points: number, frames: number, lod: boolean): Promise<FrameTimes> };
  }
}

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor(q * s.length))]! : NaN;
}

const nextFrame = () => new Promise<number>((r) => requestAnimationFrame(r));

export function ViewerBench() {
  const canvasRef = useRef<HTMLCanvasElement | null>(null);
  const [results, setResults] = useState<FrameTimes[]>([]);
  useEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas) return;
    const r = new SceneRenderer(canvas);
    r.resize(960, 600);
    r.setToggles({
      points: true,
      aabb: true,
      obb: true,
      frame: true,
      frustum: true,
      relations: true,
      labels: true,
    });
    window.sqwBench3d = {
      async run(points, frames, lod) {
        const t0 = performance.now();
        const scene = syntheticScene(points);
        r.setCloud(scene.info, scene.cloud);
        const colors = colorsForIds(scene.nodes.map((n) => n.id));
        r.setNodes(scene.nodes, colors, 3, new Set([5]));
        r.setColors('rgb', 3, new Set([5]), scene.info.depthRange, colors);
        r.viewFromCamera();
        r.lod.reset(150_000);
        r.setMoving(lod);
        r.renderNow();
        await nextFrame();
        const buildMs = performance.now() - t0;
        const intervals: number[] = [];
        const calls: number[] = [];
        let last = await nextFrame();
        for (let i = 0; i < frames; i++) {
          r.controls.rotateLeft(0.01);
          r.controls.update();
          calls.push(r.renderNow());
          const now = await nextFrame();
          intervals.push(now - last);
          last = now;
        }
        const result: FrameTimes = {
          points,
          lod,
          drawnPoints: r.stats.drawnPoints,
          notPointBound: r.lod.notPointBound,
          frames,
          medianMs: quantile(intervals, 0.5),
          p95Ms: quantile(intervals, 0.95),
          settledMedianMs: quantile(intervals.slice(Math.floor(intervals.length / 2)), 0.5),
          renderCallMedianMs: quantile(calls, 0.5),
          buildMs,
        };
        r.setMoving(false);
        setResults((l) => [...l, result]);
        return result;
      },
    };
    return () => {
      delete window.sqwBench3d;
      r.dispose();
    };
  }, []);
  return (
    <div className="bench-page" data-testid="bench-3d" data-result={JSON.stringify(results)}>
      <h2>3D viewer bench</h2>
      <canvas ref={canvasRef} width={960} height={600} style={{ width: 960, height: 600 }} />
      <pre className="small">{JSON.stringify(results, null, 1)}</pre>
    </div>
  );
}
