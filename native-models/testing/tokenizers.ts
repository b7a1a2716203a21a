// Small tokenizer files in the Hugging Face `tokenizer.json` format, with the same model types,
// normalisers, pre-tokenisers and post-processors as the public exports, but a vocabulary of only
// the words the tests use:
//  - CLIP (Xenova/clip-vit-base-patch32, Xenova/owlv2-base-patch16): byte-level BPE with "</w>"
//    word ends, lowercased, <|startoftext|> … <|endoftext|>;
//  - BERT uncased (onnx-community/grounding-dino-tiny-ONNX): WordPiece, [CLS] … [SEP], token types.

export interface TokenizerFiles {
  'tokenizer.json': string;
  'tokenizer_config.json': string;
}

/**
 * CLIP BPE over `words`: the vocabulary holds each letter (alone and as a word end) and every
 * left-to-right merge of each word, so each listed word becomes one token; other words of these
 * letters fall back to letters. Ids: letters first, then merges, then the two specials.
 */
export function clipTokenizer(words: string[], modelMaxLength = 77): TokenizerFiles {
  const vocab: Record<string, number> = {};
  const add = (t: string) => {
    if (!(t in vocab)) vocab[t] = Object.keys(vocab).length;
  };
  for (const c of 'abcdefghijklmnopqrstuvwxyz.,!') {
    add(c);
    add(`${c}</w>`);
  }
  const merges: string[] = [];
  for (const word of words) {
    let left = word[0]!;
    for (let i = 1; i < word.length; i++) {
      const right = i === word.length - 1 ? `${word[i]}</w>` : word[i]!;
      merges.push(`${left} ${right}`);
      left += right;
      add(left);
    }
  }
  const sot = Object.keys(vocab).length;
  const eot = sot + 1;
  vocab['<|startoftext|>'] = sot;
  vocab['<|endoftext|>'] = eot;
  const special = (id: number, content: string) => ({
    id,
    content,
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: false,
    special: true,
  });
  const json = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [special(sot, '<|startoftext|>'), special(eot, '<|endoftext|>')],
    normalizer: {
      type: 'Sequence',
      normalizers: [
        { type: 'NFC' },
        { type: 'Replace', pattern: { Regex: '\\s+' }, content: ' ' },
        { type: 'Lowercase' },
      ],
    },
    pre_tokenizer: {
      type: 'Sequence',
      pretokenizers: [
        {
          type: 'Split',
          pattern: {
            Regex:
              "<\\|startoftext\\|>|<\\|endoftext\\|>|'s|'t|'re|'ve|'m|'ll|'d|[\\p{L}]+|[\\p{N}]|[^\\s\\p{L}\\p{N}]+",
          },
          behavior: 'Removed',
          invert: true,
        },
        { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: false },
      ],
    },
    post_processor: {
      type: 'RobertaProcessing',
      sep: ['<|endoftext|>', eot],
      cls: ['<|startoftext|>', sot],
      trim_offsets: false,
      add_prefix_space: false,
    },
    decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: '<|endoftext|>',
      continuing_subword_prefix: '',
      end_of_word_suffix: '</w>',
      fuse_unk: false,
      byte_fallback: false,
      vocab,
      merges,
    },
  };
  const config = {
    tokenizer_class: 'CLIPTokenizer',
    bos_token: '<|startoftext|>',
    eos_token: '<|endoftext|>',
    unk_token: '<|endoftext|>',
    pad_token: '<|endoftext|>',
    model_max_length: modelMaxLength,
    do_lower_case: true,
  };
  return {
    'tokenizer.json': JSON.stringify(json),
    'tokenizer_config.json': JSON.stringify(config),
  };
}

/** BERT uncased WordPiece over `words` (plus "."), ids: [PAD] 0, [UNK] 1, [CLS] 2, [SEP] 3, [MASK] 4. */
export function bertTokenizer(words: string[]): TokenizerFiles {
  const tokens = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', '.', ...new Set(words)];
  const vocab = Object.fromEntries(tokens.map((t, i) => [t, i]));
  const special = (id: number) => ({
    id,
    content: tokens[id],
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: false,
    special: true,
  });
  const json = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [0, 1, 2, 3, 4].map(special),
    normalizer: {
      type: 'BertNormalizer',
      clean_text: true,
      handle_chinese_chars: true,
      strip_accents: null,
      lowercase: true,
    },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [
        { SpecialToken: { id: '[CLS]', type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: '[SEP]', type_id: 0 } },
      ],
      pair: [
        { SpecialToken: { id: '[CLS]', type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: '[SEP]', type_id: 0 } },
        { Sequence: { id: 'B', type_id: 1 } },
        { SpecialToken: { id: '[SEP]', type_id: 1 } },
      ],
      special_tokens: {
        '[CLS]': { id: '[CLS]', ids: [2], tokens: ['[CLS]'] },
        '[SEP]': { id: '[SEP]', ids: [3], tokens: ['[SEP]'] },
      },
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: {
      type: 'WordPiece',
      unk_token: '[UNK]',
      continuing_subword_prefix: '##',
      max_input_chars_per_word: 100,
      vocab,
    },
  };
  const config = {
    tokenizer_class: 'BertTokenizer',
    do_lower_case: true,
    cls_token: '[CLS]',
    sep_token: '[SEP]',
    pad_token: '[PAD]',
    unk_token: '[UNK]',
    mask_token: '[MASK]',
    model_max_length: 512,
  };
  return {
    'tokenizer.json': JSON.stringify(json),
    'tokenizer_config.json': JSON.stringify(config),
  };
}
