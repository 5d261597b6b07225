import { randomBytes } from 'node:crypto';

/** What a slug may look like everywhere (quizzes, posts, categories): lowercase letters, digits, single dashes. */
export const SLUG_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
export const SLUG_MAX_LENGTH = 120;

// Titles are often Russian; a transliteration keeps their slugs readable instead of empty.
const CYRILLIC: Record<string, string> = {
  а: 'a',
  б: 'b',
  в: 'v',
  г: 'g',
  д: 'd',
  е: 'e',
  ё: 'e',
  ж: 'zh',
  з: 'z',
  и: 'i',
  й: 'y',
  к: 'k',
  л: 'l',
  м: 'm',
  н: 'n',
  о: 'o',
  п: 'p',
  р: 'r',
  с: 's',
  т: 't',
  у: 'u',
  ф: 'f',
  х: 'h',
  ц: 'ts',
  ч: 'ch',
  ш: 'sh',
  щ: 'sch',
  ъ: '',
  ы: 'y',
  ь: '',
  э: 'e',
  ю: 'yu',
  я: 'ya',
};

/** A slug made from a title: transliterated, accents dropped, non-alphanumerics collapsed to dashes; never empty. */
export function slugify(title: string, maxLength = SLUG_MAX_LENGTH): string {
  const ascii = [...title.toLowerCase()]
    .map((ch) => CYRILLIC[ch] ?? ch)
    .join('')
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '');
  const slug = ascii
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, maxLength)
    .replace(/-+$/g, '');
  return slug || `item-${randomBytes(3).toString('hex')}`;
}

/** The same slug with a short random suffix, for when a slug made from a title is already taken. */
export function withSlugSuffix(slug: string, maxLength = SLUG_MAX_LENGTH): string {
  const suffix = randomBytes(3).toString('hex');
  return `${slug.slice(0, maxLength - suffix.length - 1).replace(/-+$/g, '')}-${suffix}`;
}
