// What an export reads a project through: its rows (the async export store, on SQLite or
// PostgreSQL), its image and depth files, and the folders an export must never replace. A desktop
// project is a folder on this machine; a team project (engine/team/team-export.ts) reads its rows
// from PostgreSQL and its files from the shared blob store.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { DATABASE_FILE, type ProjectStore } from '../../db/project-store';
import { sqliteHandle } from '../../db/store/connect';
import { ExportStore, type ExportImageRow } from '../../db/store/export-store';
import { requireWritable, type ProtectedPlace } from './output-guard';

export const LINK_REFUSED =
  "images 'link' needs the image files on this machine; this project's are in its blob store: use images 'copy' or 'none'";

/** One image or depth file an export copies. */
export interface MediaFile {
  /** The path the exported file takes its extension from. */
  name: string;
  /** The file on this machine (copied or linked as it is), or null: its bytes come from `read`. */
  path: string | null;
  read(): Promise<Buffer>;
}

export interface MediaFiles {
  /** Whether the files are on this machine (paths set): images can then be linked. */
  readonly local: boolean;
  /** The upright pixels the boxes and masks refer to. */
  image(image: ExportImageRow): MediaFile;
  /** The stored 16-bit depth map (mm), or null when the image has none. */
  depth(image: ExportImageRow): MediaFile | null;
}

export interface ExportProject {
  rows: ExportStore;
  files: MediaFiles;
  /** Folders an export must never replace: asked before the export and again before a replace. */
  protectedPlaces(): Promise<ProtectedPlace[]>;
  /** Throws (ExportError) when the export could not be recorded in the project when it ends. */
  checkWritable(): void;
  /**
   * The desktop project folder that export shards (worker threads) open read-only; null: the
   * export runs on this thread.
   */
  shardFolder: string | null;
}

/** A desktop project: its SQLite database through the export store, files on this machine. */
export function desktopExportProject(store: ProjectStore): ExportProject {
  return {
    rows: new ExportStore(sqliteHandle(store.db), 'sqlite', store.db),
    files: new FolderMediaFiles(store.folder),
    protectedPlaces: () => protectedFolders(store),
    checkWritable: () => checkProjectWritable(store),
    shardFolder: store.folder,
  };
}

/** A desktop project's files: the imported source (or upright copy) and depth under blobs/. */
export class FolderMediaFiles implements MediaFiles {
  readonly local = true;

  constructor(private readonly projectFolder: string) {}

  image(image: ExportImageRow): MediaFile {
    return local(
      image.uprightBlob ? join(this.projectFolder, image.uprightBlob) : image.sourcePath,
    );
  }

  depth(image: ExportImageRow): MediaFile | null {
    return image.depthBlob ? local(join(this.projectFolder, image.depthBlob)) : null;
  }
}

function local(path: string): MediaFile {
  return { name: path, path, read: () => readFile(path) };
}

/**
 * An export is recorded in its project when it ends: a project that cannot be written fails here,
 * before the dataset is written, not after.
 */
export function checkProjectWritable(store: ProjectStore): void {
  const database = join(store.folder, DATABASE_FILE);
  requireWritable(database, 'the project database');
  // SQLite writes through the -wal and -shm files, or creates them in the project folder.
  for (const file of [`${database}-wal`, `${database}-shm`]) {
    if (existsSync(file)) requireWritable(file, 'the project database');
    else requireWritable(store.folder, 'the project folder', true);
  }
}

/** Folders an export must never replace: the project and the folders its images came from. */
export async function protectedFolders(store: ProjectStore): Promise<ProtectedPlace[]> {
  const rows = new ExportStore(sqliteHandle(store.db), 'sqlite');
  return [{ path: store.folder, what: 'the project folder' }, ...(await batchFolders(rows))];
}

/** The folders each batch's images and depth maps were imported from. */
export async function batchFolders(rows: ExportStore): Promise<ProtectedPlace[]> {
  return (await rows.batchFolders()).flatMap((b) => [
    { path: b.sourceFolder, what: `the image source of batch ${b.id}` },
    ...(b.depthFolder ? [{ path: b.depthFolder, what: `the depth source of batch ${b.id}` }] : []),
  ]);
}
