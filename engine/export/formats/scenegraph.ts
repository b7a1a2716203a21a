// `scenegraph`: one JSON file per image with a stored scene graph (record: ../scenegraph-format.ts).
import type { SceneGraph } from '../../../spatial/scene/scene-graph';
import { sceneGraphRecord } from '../scenegraph-format';
import type { FormatContext, FormatWriter } from './types';

export function createSceneGraphWriter(ctx: FormatContext): FormatWriter {
  return {
    source: 'graphs',
    async add(item) {
      const stored = item.graph;
      if (!stored) return;
      const graph = stored.graph as SceneGraph;
      await ctx.w.write(
        `${ctx.media.stemOf(item.image)}.json`,
        `${JSON.stringify(sceneGraphRecord(item.image, graph, stored.notes), null, 2)}\n`,
      );
      ctx.counts.images++;
      ctx.counts.records++;
      ctx.counts.objects += graph.nodes.length;
    },
    finish: async () => {},
  };
}
