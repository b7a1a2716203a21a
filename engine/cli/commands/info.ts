import type { Command } from 'commander';
import { printable } from '../../printable';
import { createOutput } from '../output';

export function registerInfo(program: Command): void {
  program
    .command('info')
    .description("show a project's batches and counts, and the execution providers available here")
    .requiredOption('-p, --project <dir>', 'project folder')
    .option('--json', 'print as JSON')
    .action(async (flags: { project: string; json?: boolean }) => {
      const [
        { ProjectStore },
        { CatalogStore },
        { sqliteHandle },
        { probeExecutionProviders },
        { toBatchSummary, toProjectSummary },
      ] = await Promise.all([
        import('../../../db/project-store'),
        import('../../../db/store/catalog-store'),
        import('../../../db/store/connect'),
        import('../../../native-models/providers'),
        import('../../mappers'),
      ]);
      const store = ProjectStore.open(flags.project);
      try {
        const project = await toProjectSummary(store);
        const batches = (await new CatalogStore(sqliteHandle(store.db)).listBatches()).map(
          toBatchSummary,
        );
        const providers = probeExecutionProviders();
        const human = [
          `${printable(project.name)} (${project.id}) at ${printable(project.path)}`,
          `${project.imageCount} images in ${project.batchCount} batches`,
          ...batches.map(
            (b) =>
              `  batch ${b.id}: ${b.imageCount} images (${b.withDepth} with depth), ${b.skipped} skipped, ${b.failed} failed — ${printable(b.sourceFolder)}`,
          ),
          `execution providers: ${providers.available.join(', ') || `none (${providers.error})`}`,
        ].join('\n');
        createOutput(Boolean(flags.json)).result(human, {
          project,
          batches,
          executionProviders: providers,
        });
      } finally {
        store.close();
      }
    });
}
