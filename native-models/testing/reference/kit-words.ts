// The vocabulary of the reference kit's tokenizers and where its images come from (../shared/data).
export const CLIP_WORDS = [
  'this',
  'is',
  'photo',
  'of',
  'room',
  'street',
  'document',
  'chair',
  'door',
  'person',
];
export const GDINO_WORDS = ['chair', 'door'];
export const REFERENCE_IMAGES = {
  'corridor.png': 'rgbd/sun-corridor/color.jpg',
  'juneau.png': 'photos/Juneau.jpg',
};
