// Issue 16, case 7: "a 120-px orbit drag throws the scene into a corner". On two real RGB-D frames,
// the SUN RGB-D corridor with ten objects (a deep corridor behind them) and the Redwood living room
// (a window whose far readings stretch the depth range), 120-px drags from five start points
// in five directions, each from the photo's pose (the pose the view opens in), then the same drags
// one after another without a reset, then after Fit. After every drag the orbit pivot must lie in
// the content's box and the box's centre, projected here from the camera the view reports (the
// test's own pinhole maths, not the renderer's), must land inside the canvas, in front of the camera.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Locator, Page } from '@playwright/test';
import { expect, REPO_ROOT, test } from './fixtures';
import { COCO, COLOR, CORRIDOR_TEN_BOXES, DEPTH, writeCorridorTenCoco } from './sample-batch';

const REDWOOD = join(REPO_ROOT, 'samples/demo-batch/redwood-livingroom');

interface Frame {
  name: string;
  /** Fills the import form (folder, depth, annotations, intrinsics). */
  fill(page: Page, dir: string): Promise<void>;
  tile: string;
  objects: number;
}
const FRAMES: Frame[] = [
  {
    name: 'the SUN corridor with ten objects',
    tile: 'corridor.jpg',
    objects: CORRIDOR_TEN_BOXES.length,
    async fill(page, dir) {
      await page.getByTestId('import-folder').fill(COLOR);
      await page.getByTestId('import-depth-folder').fill(DEPTH);
      await page.getByTestId('import-depth-encoding').selectOption('sun');
      await page.getByTestId('import-annotations').fill(writeCorridorTenCoco(dir));
    },
  },
  {
    name: 'the Redwood living room',
    tile: '00000.jpg',
    objects: 2,
    async fill(page) {
      await page.getByTestId('import-folder').fill(join(REDWOOD, 'color'));
      await page.getByTestId('import-depth-folder').fill(join(REDWOOD, 'depth'));
      await page.getByTestId('import-depth-encoding').selectOption('mm');
      await page.getByTestId('import-annotations').fill(COCO);
      await page.getByTestId('import-intrinsics-toggle').click();
      await page.getByTestId('import-fx').fill('525');
      await page.getByTestId('import-fy').fill('525');
      await page.getByTestId('import-cx').fill('319.5');
      await page.getByTestId('import-cy').fill('239.5');
    },
  },
];

type V3 = [number, number, number];
interface Camera {
  position: V3;
  target: V3;
  up: V3;
  fov: number;
  aspect: number;
}
interface Box {
  min: V3;
  max: V3;
}

const sub = (a: V3, b: V3): V3 => [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
const dot = (a: V3, b: V3) => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
const cross = (a: V3, b: V3): V3 => [
  a[1] * b[2] - a[2] * b[1],
  a[2] * b[0] - a[0] * b[2],
  a[0] * b[1] - a[1] * b[0],
];
const unit = (a: V3): V3 => {
  const n = Math.hypot(...a);
  return [a[0] / n, a[1] / n, a[2] / n];
};
/** The world frame is x right, y up, z forward; the view's (three.js) frame has z mirrored. */
const mirror = (a: readonly number[]): V3 => [a[0]!, a[1]!, -a[2]!];

/** Where world point `p` is drawn by a camera at `cam` looking at `target`, in normalised coords. */
function project(cam: Camera, target: V3, p: V3): { x: number; y: number; depth: number } {
  const eye = mirror(cam.position);
  const f = unit(sub(mirror(target), eye));
  const r = unit(cross(f, mirror(cam.up)));
  const u = cross(r, f);
  const d = sub(mirror(p), eye);
  const depth = dot(d, f);
  const tan = Math.tan((cam.fov * Math.PI) / 360);
  return { x: dot(d, r) / (depth * tan * cam.aspect), y: dot(d, u) / (depth * tan), depth };
}

async function viewState(viewer: Locator) {
  const attr = async (name: string) => (await viewer.getAttribute(name)) ?? '';
  return {
    camera: JSON.parse(await attr('data-camera')) as Camera,
    box: JSON.parse(await attr('data-content-box')) as Box,
    target: (await attr('data-orbit-target')).split(',').map(Number) as V3,
    /** The renderer's own measure of the same thing (max |NDC| of the centre), to agree with. */
    offset: Number(await attr('data-content-offset')),
  };
}

for (const frame of FRAMES)
  test(`120-px orbit drags on ${frame.name} keep the pivot in the content and the content on screen`, async ({
    page,
    server,
    problems,
  }) => {
    test.setTimeout(300_000);
    const dir = mkdtempSync(join(tmpdir(), 'sqw-orbit-'));
    try {
      await page.goto(server.url);
      await frame.fill(page, dir);
      await page.getByTestId('import-start').click();
      await expect(page.getByTestId('import-progress')).toHaveAttribute('data-status', 'done', {
        timeout: 90_000,
      });
      await page.getByTestId('pipeline-start').click();
      await expect(page.getByTestId('pipeline-summary')).toBeVisible({ timeout: 300_000 });
      await page.locator('[data-testid="image-tile"]', { hasText: frame.tile }).click();
      const viewer = page.getByTestId('viewer3d');
      await expect(viewer).toHaveAttribute('data-status', 'ready', { timeout: 60_000 });
      await expect
        .poll(async () => (await viewer.getAttribute('data-box-ids'))!.split(',').length)
        .toBe(frame.objects);
      await expect(viewer).toHaveAttribute('data-content-box', /min/);
      const canvas = page.getByTestId('viewer3d-canvas');
      await canvas.scrollIntoViewIfNeeded();
      const cb = (await canvas.boundingBox())!;

      /** Waits for the frames after the last input, so the hooks describe the view as it is. */
      const settle = async () => {
        await page.evaluate(
          () =>
            new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => r(null)))),
        );
        await page.waitForTimeout(100);
        return viewState(viewer);
      };
      const drag = async (page: Page, from: [number, number], by: [number, number]) => {
        const x = cb.x + from[0] * cb.width;
        const y = cb.y + from[1] * cb.height;
        await page.mouse.move(x, y);
        await page.mouse.down();
        await page.mouse.move(x + by[0], y + by[1], { steps: 12 });
        await page.mouse.up();
      };
      const failures: string[] = [];
      const offsets: Array<[string, number]> = [];
      const check = async (what: string) => {
        const s = await settle();
        const inBox = s.target.every(
          (v, a) => v >= s.box.min[a]! - 1e-3 && v <= s.box.max[a]! + 1e-3,
        );
        const centre: V3 = [0, 1, 2].map((a) => (s.box.min[a]! + s.box.max[a]!) / 2) as V3;
        const p = project(s.camera, s.camera.target, centre);
        const onScreen = p.depth > 0 && Math.abs(p.x) <= 1 && Math.abs(p.y) <= 1;
        const offset = p.depth > 0 ? Math.max(Math.abs(p.x), Math.abs(p.y)) : Infinity;
        offsets.push([what, offset]);
        // This projection and the renderer's agree (the hooks describe the view drawn).
        if (Number.isFinite(offset)) expect(Math.abs(offset - s.offset), what).toBeLessThan(0.01);
        if (!inBox || !onScreen)
          failures.push(
            `${what}: pivot ${s.target.map((v) => v.toFixed(2))} ${inBox ? 'in' : 'OUTSIDE'} ` +
              `box ${JSON.stringify(s.box)}; centre drawn at (${p.x.toFixed(2)}, ${p.y.toFixed(2)}), ` +
              `depth ${p.depth.toFixed(2)}`,
          );
        return p;
      };

      // The pose the view opens in (the photo's): the content's centre is in view to begin with.
      const opened = await check('as opened');
      expect(opened.depth).toBeGreaterThan(0);

      const starts: Array<[number, number]> = [
        [0.5, 0.5],
        [0.2, 0.25],
        [0.8, 0.25],
        [0.2, 0.8],
        [0.8, 0.8],
      ];
      const moves: Array<[number, number]> = [
        [120, 0],
        [-120, 0],
        [0, 120],
        [0, -120],
        [85, -85],
      ];
      const name = (s: [number, number], m: [number, number]) =>
        `drag (${m.join(', ')}) px from (${s.map((v) => v.toFixed(2)).join(', ')}) of the canvas`;

      // Each drag from the photo's pose.
      let drags = 0;
      for (const s of starts)
        for (const m of moves) {
          await page.getByTestId('viewer3d-view-from-camera').click();
          await drag(page, s, m);
          drags++;
          await check(`from the photo's pose, ${name(s, m)}`);
        }
      // The same drags one after another: the view wanders, the pivot and the content stay.
      await page.getByTestId('viewer3d-view-from-camera').click();
      for (const s of starts)
        for (const m of moves) {
          await drag(page, s, m);
          drags++;
          await check(`in sequence, ${name(s, m)}`);
        }
      // After Fit.
      await page.getByTestId('viewer3d-fit').click();
      await check('after Fit');
      for (const s of starts) {
        await drag(page, s, [120, 0]);
        drags++;
        await check(`after Fit, ${name(s, [120, 0])}`);
      }
      expect(drags).toBe(55);
      const worst = offsets.reduce((w, o) => (o[1] > w[1] ? o : w));
      console.log(`${frame.name}: largest centre offset ${worst[1].toFixed(2)} (${worst[0]})`);
      // A drag is not a click: nothing got selected, so the pivot never jumped to an object.
      await expect(viewer).toHaveAttribute('data-selected-object', '');
      expect(failures).toEqual([]);
      await problems.expectNone();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
