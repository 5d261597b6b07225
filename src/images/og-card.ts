import { Jimp, loadFont, measureTextHeight } from 'jimp';
import { SANS_32_WHITE, SANS_64_WHITE } from 'jimp/fonts';
import { toDrawableText } from './ascii-text.js';

export const OG_WIDTH = 1200;
export const OG_HEIGHT = 630;

const MARGIN = 80;
const TEXT_WIDTH = OG_WIDTH - 2 * MARGIN;
const TITLE_TOP = 150;
const TITLE_MAX_HEIGHT = 340;
const BACKGROUND = 0x1e293bff;
const ACCENT = 0x6366f1ff;

export interface OgCardText {
  title: string;
  /** Category name or publishing date, above the title. */
  subtitle: string;
  siteName: string;
}

type Font = Awaited<ReturnType<typeof loadFont>>;
let fonts: Promise<{ large: Font; small: Font }> | undefined;

/** The bundled fonts, read from disk once per process. */
function loadFonts(): Promise<{ large: Font; small: Font }> {
  fonts ??= Promise.all([loadFont(SANS_64_WHITE), loadFont(SANS_32_WHITE)]).then(([large, small]) => ({ large, small }));
  return fonts;
}

/** The title in the largest font that fits the title area, shortened by words as a last resort. */
function fitTitle(title: string, large: Font, small: Font): { font: Font; text: string } {
  if (measureTextHeight(large, title, TEXT_WIDTH) <= TITLE_MAX_HEIGHT) return { font: large, text: title };
  const words = title.split(' ');
  let text = title;
  while (words.length > 1 && measureTextHeight(small, text, TEXT_WIDTH) > TITLE_MAX_HEIGHT) {
    words.pop();
    text = `${words.join(' ')}...`;
  }
  return { font: small, text };
}

/** A 1200x630 PNG: subtitle, title and site name on a plain background with an accent bar. */
export async function renderOgCard(card: OgCardText): Promise<Buffer> {
  const { large, small } = await loadFonts();
  const image = new Jimp({ width: OG_WIDTH, height: OG_HEIGHT, color: BACKGROUND });
  image.composite(new Jimp({ width: 16, height: OG_HEIGHT, color: ACCENT }), 0, 0);
  image.composite(new Jimp({ width: TEXT_WIDTH, height: 4, color: ACCENT }), MARGIN, OG_HEIGHT - 130);
  const title = fitTitle(toDrawableText(card.title) || 'Untitled', large, small);
  image.print({ font: small, x: MARGIN, y: 70, text: toDrawableText(card.subtitle), maxWidth: TEXT_WIDTH });
  image.print({ font: title.font, x: MARGIN, y: TITLE_TOP, text: title.text, maxWidth: TEXT_WIDTH });
  image.print({ font: small, x: MARGIN, y: OG_HEIGHT - 100, text: toDrawableText(card.siteName), maxWidth: TEXT_WIDTH });
  return image.getBuffer('image/png');
}
