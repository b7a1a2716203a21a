// Electron Forge packaging. The app ships only package.json, dist/ (bundled main, preload, engine
// and renderer) and the production node_modules; native modules are unpacked from the asar.
// better-sqlite3 is rebuilt for Electron's ABI; onnxruntime-node and sharp ship N-API prebuilds.
import { spawnSync } from 'node:child_process';
import { MakerDeb } from '@electron-forge/maker-deb';
import { MakerDMG } from '@electron-forge/maker-dmg';
import { MakerSquirrel } from '@electron-forge/maker-squirrel';
import { MakerZIP } from '@electron-forge/maker-zip';
import { FusesPlugin } from '@electron-forge/plugin-fuses';
import type { ForgeConfig } from '@electron-forge/shared-types';
import { FuseV1Options, FuseVersion } from '@electron/fuses';

/** Top-level entries of the repository that go into the app; everything else is source. */
const KEEP = ['/package.json', '/dist', '/node_modules'];

function ignorePath(path: string): boolean {
  if (path === '') return false;
  if (!KEEP.some((keep) => path === keep || path.startsWith(`${keep}/`))) return true;
  // Source maps and stray TypeScript sources inflate the package without helping users.
  return /^\/dist\/.*\.map$/.test(path);
}

const config: ForgeConfig = {
  packagerConfig: {
    name: 'Spatial QA Workstation',
    executableName: 'spatial-qa-workstation',
    appBundleId: 'dev.sqw.workstation',
    // `.node` addons and the shared libraries they load (libonnxruntime.so.1, libvips-cpp.so.42, …)
    // cannot be loaded from inside an asar archive.
    asar: { unpack: '**/*.{node,dll,dylib,so,so.*}' },
    ignore: ignorePath,
    prune: true,
  },
  rebuildConfig: {
    onlyModules: ['better-sqlite3'],
    force: true,
  },
  makers: [
    new MakerSquirrel({}),
    new MakerZIP({}, ['darwin', 'linux']),
    new MakerDeb({
      options: {
        bin: 'spatial-qa-workstation',
        categories: ['Science', 'Graphics'],
        section: 'science',
      },
    }),
    new MakerDMG({}),
  ],
  plugins: [
    new FusesPlugin({
      version: FuseVersion.V1,
      [FuseV1Options.RunAsNode]: false,
      [FuseV1Options.EnableCookieEncryption]: true,
      [FuseV1Options.EnableNodeOptionsEnvironmentVariable]: false,
      [FuseV1Options.EnableNodeCliInspectArguments]: false,
      [FuseV1Options.EnableEmbeddedAsarIntegrityValidation]: true,
      [FuseV1Options.OnlyLoadAppFromAsar]: true,
      // The renderer is served from app://, so file:// needs no extra privileges.
      [FuseV1Options.GrantFileProtocolExtraPrivileges]: false,
    }),
  ],
  hooks: {
    // Package what the sources say now: bundle main/preload/engine and build the renderer.
    generateAssets: async () => {
      const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
      const result = spawnSync(npm, ['run', 'build'], {
        stdio: 'inherit',
        shell: process.platform === 'win32',
      });
      if (result.status !== 0) {
        throw new Error(
          `npm run build failed (${result.error?.message ?? `exit code ${result.status}`})`,
        );
      }
    },
  },
};

export default config;
