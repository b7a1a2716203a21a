// Tokenizers from a model folder's `tokenizer.json` (+ optional `tokenizer_config.json`), through
// @huggingface/tokenizers — the tokenizer engine of transformers.js v4, used directly: the same
// BPE/WordPiece code, no hub access, and it loads in ~20 ms where importing all of transformers.js
// takes ~1.7 s (see README.md, "transformers.js").
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';
import type { ModelManifest } from './manifest';
import type { ModelStore } from './store';

export interface Encoded {
  ids: number[];
  attentionMask: number[];
  typeIds: number[];
}

export interface TextTokenizer {
  encode(text: string): Encoded;
  /** model_max_length from tokenizer_config.json, or null. */
  maxLength: number | null;
  padId: number;
}

export class TokenizerError extends Error {
  override name = 'TokenizerError';
}

export function loadTokenizer(manifest: ModelManifest, store: ModelStore): TextTokenizer {
  const dir = store.modelDir(manifest.id);
  const path = join(dir, 'tokenizer.json');
  if (!existsSync(path)) {
    throw new TokenizerError(
      `model ${manifest.id}: tokenizer.json is missing from ${dir}; import the export's whole folder (it ships tokenizer.json next to onnx/)`,
    );
  }
  let json: unknown;
  let config: Record<string, unknown> = {};
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
    const cfg = join(dir, 'tokenizer_config.json');
    if (existsSync(cfg)) config = JSON.parse(readFileSync(cfg, 'utf8')) as Record<string, unknown>;
  } catch (err) {
    throw new TokenizerError(
      `model ${manifest.id}: tokenizer files in ${dir} are not valid JSON: ${(err as Error).message}`,
    );
  }
  let tok: Tokenizer;
  try {
    tok = new Tokenizer(json as never, config as never);
  } catch (err) {
    throw new TokenizerError(
      `model ${manifest.id}: tokenizer.json could not be read: ${(err as Error).message}`,
    );
  }
  const padToken = typeof config.pad_token === 'string' ? config.pad_token : null;
  const padId = (padToken !== null ? tok.token_to_id(padToken) : undefined) ?? 0;
  const maxLength =
    typeof config.model_max_length === 'number' && config.model_max_length < 1e6
      ? config.model_max_length
      : null;
  return {
    maxLength,
    padId,
    encode(text) {
      const e = tok.encode(text, { return_token_type_ids: true });
      return {
        ids: e.ids,
        attentionMask: e.attention_mask,
        typeIds: e.token_type_ids ?? e.ids.map(() => 0),
      };
    },
  };
}
