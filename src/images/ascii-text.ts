// jimp's bundled bitmap fonts cover printable ASCII only and drop anything else silently,
// so Cyrillic titles (most of this bot family's) are transliterated rather than vanishing.
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
  х: 'kh',
  ц: 'ts',
  ч: 'ch',
  ш: 'sh',
  щ: 'shch',
  ъ: '',
  ы: 'y',
  ь: '',
  э: 'e',
  ю: 'yu',
  я: 'ya',
  і: 'i',
  ї: 'yi',
  є: 'ye',
  ґ: 'g',
};
const PUNCTUATION: Record<string, string> = { '«': '"', '»': '"', '“': '"', '”': '"', '„': '"', '‘': "'", '’': "'", '—': '-', '–': '-', '…': '...', '№': 'No.' };

/** Text the bundled fonts can draw: Cyrillic transliterated, accents removed, other characters dropped. */
export function toDrawableText(text: string): string {
  let out = '';
  for (const char of text.normalize('NFC')) {
    const lower = char.toLowerCase();
    const latin = CYRILLIC[lower];
    if (latin !== undefined) {
      out += char === lower ? latin : latin.charAt(0).toUpperCase() + latin.slice(1);
    } else if (/\s/.test(char)) {
      out += ' ';
    } else if (PUNCTUATION[char] !== undefined) {
      out += PUNCTUATION[char];
    } else {
      out += char.normalize('NFD').replace(/[^\x20-\x7e]/g, '');
    }
  }
  return out.replace(/\s+/g, ' ').trim();
}
