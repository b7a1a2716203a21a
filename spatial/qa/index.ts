// Public surface of QA synthesis.
export { generateQa } from './generate';
export { FAMILIES, QUESTION_TYPES } from './families';
export { builtinTemplates, loadTemplates, TemplateError } from './template-loader';
export { humanLength, parseLength, clockHour } from './units';
export type * from './types';
