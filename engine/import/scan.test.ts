import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { nodeScanFs, scanFolder, IMAGE_EXTENSIONS, ScanError, type ScanFs } from './scan';
import { put, tempDir } from './test-fixtures';

function layout(dir: string): void {
  for (const f of [
    'b.JPG',
    'a.jpeg',
    'z/c.png',
    'z/y/d.webp',
    'e.ppm',
    'f.PGM',
    'notes.txt',
    '.hidden.jpg',
    'm/x.jpg',
  ]) {
    put(join(dir, f), 'x');
  }
}

describe('scanFolder', () => {
  it('finds images recursively, case-insensitive extensions, sorted by path', async () => {
    const { dir, cleanup } = tempDir();
    try {
      layout(dir);
      const r = await scanFolder(dir, { extensions: IMAGE_EXTENSIONS });
      expect(r.files.map((f) => f.relPath)).toEqual([
        'a.jpeg',
        'b.JPG',
        'e.ppm',
        'f.PGM',
        'm/x.jpg',
        'z/c.png',
        'z/y/d.webp',
      ]);
      expect(r.files[0]!.path).toBe(join(dir, 'a.jpeg'));
      expect(r.issues).toEqual([]);
    } finally {
      cleanup();
    }
  });

  it('an unreadable sub-folder becomes an issue and the rest is still scanned', async () => {
    const { dir, cleanup } = tempDir();
    try {
      layout(dir);
      const fs: ScanFs = {
        ...nodeScanFs,
        readdir: async (p) => {
          if (p === join(dir, 'z'))
            throw Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' });
          return nodeScanFs.readdir(p);
        },
      };
      const r = await scanFolder(dir, { extensions: IMAGE_EXTENSIONS, fs });
      expect(r.files.map((f) => f.relPath)).toEqual([
        'a.jpeg',
        'b.JPG',
        'e.ppm',
        'f.PGM',
        'm/x.jpg',
      ]);
      expect(r.issues).toEqual([
        { path: 'z', kind: 'skipped', reason: 'folder not readable (EACCES)' },
      ]);
    } finally {
      cleanup();
    }
  });

  it('an unreadable root is an error, and excluded folders are not entered', async () => {
    const { dir, cleanup } = tempDir();
    try {
      layout(dir);
      await expect(
        scanFolder(join(dir, 'missing'), { extensions: IMAGE_EXTENSIONS }),
      ).rejects.toBeInstanceOf(ScanError);
      const r = await scanFolder(dir, { extensions: IMAGE_EXTENSIONS, exclude: [join(dir, 'z')] });
      expect(r.files.map((f) => f.relPath)).toEqual([
        'a.jpeg',
        'b.JPG',
        'e.ppm',
        'f.PGM',
        'm/x.jpg',
      ]);
    } finally {
      cleanup();
    }
  });
});

describe('scanFolder and files that are not regular files', () => {
  it('reports a FIFO, a link to /dev/zero and a link to a FIFO with their reasons, never reads them', async () => {
    const { dir, cleanup } = tempDir();
    try {
      put(join(dir, 'ok.jpg'), 'x');
      execFileSync('mkfifo', [join(dir, 'pipe.jpg')]);
      symlinkSync('/dev/zero', join(dir, 'zero.jpg'));
      mkdirSync(join(dir, 'sub'));
      symlinkSync(join(dir, 'pipe.jpg'), join(dir, 'sub', 'to-pipe.png'));
      const r = await scanFolder(dir, { extensions: IMAGE_EXTENSIONS });
      expect(r.files.map((f) => f.relPath)).toEqual(['ok.jpg']);
      expect(r.issues).toEqual([
        { path: 'pipe.jpg', kind: 'skipped', reason: 'not a regular file: a FIFO (named pipe)' },
        {
          path: 'sub/to-pipe.png',
          kind: 'skipped',
          reason: 'not a regular file: a symbolic link to a FIFO (named pipe)',
        },
        {
          path: 'zero.jpg',
          kind: 'skipped',
          reason: 'not a regular file: a symbolic link to a character device',
        },
      ]);
    } finally {
      cleanup();
    }
  });
});
