// Writes the reference kit that make_reference.py reads on a machine with torch + transformers:
// the two test images as PNG (PIL and sharp decode PNG identically; their JPEG decoders differ) and
// the tokenizer files our adapter tests use, so both sides tokenise with the same tokenizer.json.
//   node bin/run-ts.mjs native-models/testing/reference/prepare.ts
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { CLIP_WORDS, GDINO_WORDS, REFERENCE_IMAGES } from './kit-words';
import { bertTokenizer, clipTokenizer } from '../tokenizers';

const here = dirname(fileURLToPath(import.meta.url));
const kit = join(here, 'kit');
const data = join(here, '..', '..', '..', '..', 'shared', 'data');

for (const [name, files] of [
  ['clip-tokenizer', clipTokenizer(CLIP_WORDS, 77)],
  ['bert-tokenizer', bertTokenizer(GDINO_WORDS)],
] as const) {
  mkdirSync(join(kit, name), { recursive: true });
  for (const [file, text] of Object.entries(files)) writeFileSync(join(kit, name, file), text);
}
for (const [name, source] of Object.entries(REFERENCE_IMAGES)) {
  await sharp(join(data, source)).png({ compressionLevel: 9 }).toFile(join(kit, name));
}
console.log(`reference kit written to ${kit}`);
