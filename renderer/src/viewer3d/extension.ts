// Scene extensions (Lichtblick's idea): each layer owns the three.js objects it adds under the
// scene's world root and releases them in dispose(); the renderer only adds, toggles and disposes.
import * as THREE from 'three';

export interface SceneExtension {
  readonly name: string;
  /** Everything the layer draws, parented to the world root. */
  readonly object: THREE.Object3D;
  dispose(): void;
}

/** Removes an object tree from its parent and frees its GPU resources (geometries, materials, textures). */
export function disposeTree(root: THREE.Object3D): void {
  root.removeFromParent();
  root.traverse((o) => {
    const mesh = o as Partial<THREE.Mesh>;
    // Sprites share one module-level quad geometry in three.js: never dispose it.
    if (!(o instanceof THREE.Sprite)) mesh.geometry?.dispose();
    const mat = mesh.material;
    const list = Array.isArray(mat) ? mat : mat ? [mat] : [];
    for (const m of list) {
      const map = (m as Partial<THREE.SpriteMaterial>).map;
      map?.dispose();
      m.dispose();
    }
  });
}

/** A group under `parent` named after the layer. */
export function layerGroup(parent: THREE.Object3D, name: string): THREE.Group {
  const g = new THREE.Group();
  g.name = name;
  parent.add(g);
  return g;
}

/**
 * Text drawn into a canvas texture (never HTML), as a sprite that faces the camera; on a dark
 * plate unless `background` is given (box labels use the object's colour, as the 2D tags do).
 * `screenHeight` (a share of the view's height per line, about) keeps the text one size on screen
 * at any distance instead of `worldHeight` metres, so labels stay readable when the view is fitted.
 */
export function textSprite(
  lines: string[],
  color = '#ffffff',
  worldHeight = 0.06,
  background = 'rgba(15, 18, 24, 0.78)',
  screenHeight: number | null = null,
): THREE.Sprite {
  const font = 28;
  const pad = 8;
  const canvas = document.createElement('canvas');
  const ctx = canvas.getContext('2d');
  const clipped = lines.map((l) => (l.length > 60 ? `${l.slice(0, 59)}…` : l));
  let width = 16;
  if (ctx) {
    ctx.font = `${font}px sans-serif`;
    for (const l of clipped) width = Math.max(width, ctx.measureText(l).width);
  }
  canvas.width = Math.ceil(width + pad * 2);
  canvas.height = clipped.length * (font + 6) + pad * 2;
  if (ctx) {
    ctx.fillStyle = background;
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    ctx.font = `${font}px sans-serif`;
    ctx.fillStyle = color;
    ctx.textBaseline = 'top';
    clipped.forEach((l, i) => ctx.fillText(l, pad, pad + i * (font + 6)));
  }
  const texture = new THREE.CanvasTexture(canvas);
  texture.colorSpace = THREE.SRGBColorSpace;
  const material = new THREE.SpriteMaterial({
    map: texture,
    depthTest: false,
    transparent: true,
    sizeAttenuation: screenHeight === null,
  });
  const sprite = new THREE.Sprite(material);
  const h = (screenHeight ?? worldHeight) * clipped.length;
  sprite.scale.set((h * canvas.width) / canvas.height, h, 1);
  sprite.renderOrder = 10;
  return sprite;
}
