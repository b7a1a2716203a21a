// The image store for React: the page creates one per mount and provides it; panels read the slice
// they need with a selector (re-rendering only when that slice changes) and call its actions.
import { createContext, useContext } from 'react';
import { useStore } from 'zustand';
import type { ImageEditor, ImageEditorActions, ImageStore } from './image-store';

export const ImageStoreContext = createContext<ImageStore | null>(null);

export function useImageStoreApi(): ImageStore {
  const store = useContext(ImageStoreContext);
  if (!store) throw new Error('useImageStore outside the image page');
  return store;
}

export function useImageStore<T>(selector: (s: ImageEditor) => T): T {
  return useStore(useImageStoreApi(), selector);
}

/** The store's actions: created once with the store, so reading them subscribes to nothing. */
export function useImageActions(): ImageEditorActions {
  return useImageStoreApi().getState();
}
