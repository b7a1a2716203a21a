// Messages between the Electron main process and the engine child process (utilityProcess or
// child_process.fork). Main validates every message both ways; the renderer never sees these.
import { z } from 'zod';
import { EngineEvent } from './api';
import { BlobKind } from './blobs';

export const ToEngineMessage = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('call'),
    id: z.number().int(),
    method: z.string().max(100),
    input: z.unknown(),
  }),
  z.object({
    type: z.literal('blob'),
    id: z.number().int(),
    ref: z.object({ projectId: z.string(), imageId: z.number().int(), kind: BlobKind }),
  }),
  z.object({ type: z.literal('shutdown') }),
]);
export type ToEngineMessage = z.infer<typeof ToEngineMessage>;

const RpcResponseSchema = z.union([
  z.object({ ok: z.literal(true), result: z.unknown() }),
  z.object({ ok: z.literal(false), error: z.object({ code: z.string(), message: z.string() }) }),
]);

export const FromEngineMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready'), version: z.string() }),
  z.object({ type: z.literal('result'), id: z.number().int(), response: RpcResponseSchema }),
  z.object({
    type: z.literal('blob-file'),
    id: z.number().int(),
    path: z.string().nullable(),
    contentType: z.string().nullable(),
  }),
  z.object({ type: z.literal('event'), event: EngineEvent }),
]);
export type FromEngineMessage = z.infer<typeof FromEngineMessage>;
