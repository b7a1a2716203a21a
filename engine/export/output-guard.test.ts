// The export target guard against aliases of protected folders (issue 17, case 1): resolved paths,
// not typed ones, and a refusal before anything is touched.
import { existsSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../test/helpers';
import { physicalPath } from './output-guard';
import { checkExportTarget, EXPORT_MARKER, writeExportFolder } from './safe-output';

const dir = tempDir('sqw-guard-');
afterAll(() => dir.remove());

/** An earlier export at root/expD/E whose train/images folder a project imported from. */
function earlierExportWithSource(name: string) {
  const root = join(dir.path, name);
  const e = join(root, 'expD', 'E');
  const images = join(e, 'train', 'images');
  mkdirSync(images, { recursive: true });
  writeFileSync(join(e, EXPORT_MARKER), '{}');
  writeFileSync(join(images, 'a.png'), 'pixels');
  symlinkSync(join(root, 'expD'), join(root, 'alias'));
  const protect = [{ path: images, what: 'the image source of batch 1' }];
  return { root, e, images, protect };
}

describe('physicalPath', () => {
  it('resolves symlinked parents, keeps the missing rest, refuses a broken link', () => {
    const { root, e } = earlierExportWithSource('phys');
    expect(physicalPath(join(root, 'alias', 'E'))).toBe(e);
    expect(physicalPath(join(root, 'alias', 'E', 'new', 'deeper'))).toBe(join(e, 'new', 'deeper'));
    symlinkSync(join(root, 'nowhere'), join(root, 'broken'));
    expect(() => physicalPath(join(root, 'broken', 'x'))).toThrow(/broken symbolic link/);
  });
});

describe('checkExportTarget with --force', () => {
  it('refuses a symlinked parent, a `..` and a symlink as the target itself', () => {
    const { root, e, images, protect } = earlierExportWithSource('alias');
    symlinkSync(e, join(root, 'direct'));
    for (const typed of [
      join(root, 'alias', 'E'),
      `${join(root, 'alias', 'E', 'train')}/..`,
      `${join(root, 'alias', 'E', 'train', 'images')}/../..`,
      join(root, 'direct'),
    ]) {
      expect(() => checkExportTarget(typed, { force: true, protect }), typed).toThrow(
        /^refusing to export into .* \(really .*expD\/E\): replacing it would delete the image source of batch 1 \(.*expD\/E\/train\/images\)$/,
      );
    }
    expect(() =>
      checkExportTarget(join(root, 'alias', 'E', 'train', 'images'), {
        force: true,
        protect,
      }),
    ).toThrow(/: it is the image source of batch 1$/);
    expect(readdirSync(images)).toEqual(['a.png']);
  });

  it('refuses `/`, the home folder, the working folder and their parents', () => {
    for (const [typed, why] of [
      ['/', /it is the file system root/],
      [homedir(), /it is the home folder/],
      [dirname(homedir()), /would delete the home folder|it is the file system root/],
      [process.cwd(), /it is the folder the command runs in/],
      [`${process.cwd()}/engine/..`, /it is the folder the command runs in/],
      [dirname(process.cwd()), /would delete the folder the command runs in/],
    ] as const) {
      expect(() => checkExportTarget(typed, { force: true }), typed).toThrow(why);
    }
  });

  it('a forced export through an alias deletes nothing and leaves no temporary folder', async () => {
    const { root, images, protect } = earlierExportWithSource('write');
    await expect(
      writeExportFolder(
        join(root, 'alias', 'E'),
        { force: true, protect: () => protect },
        async (w) => w.write('x.txt', 'new'),
        () => ({}),
      ),
    ).rejects.toThrow(/refusing to export into/);
    expect(readdirSync(images)).toEqual(['a.png']);
    expect(readdirSync(join(root, 'expD')).sort()).toEqual(['E']);
  });

  it('checks again before replacing: a source added while the export ran is kept', async () => {
    const { root, e, images } = earlierExportWithSource('late');
    const places: Array<{ path: string; what: string }> = [];
    await expect(
      writeExportFolder(
        join(root, 'alias', 'E'),
        { force: true, protect: () => places },
        async (w) => {
          // A batch is imported from inside the old export while this one is being written.
          places.push({ path: images, what: 'the image source of batch 2' });
          await w.write('x.txt', 'new');
        },
        () => ({}),
      ),
    ).rejects.toThrow(/image source of batch 2/);
    expect(existsSync(join(images, 'a.png'))).toBe(true);
    expect(readdirSync(dirname(e))).toEqual(['E']);
  });
});
