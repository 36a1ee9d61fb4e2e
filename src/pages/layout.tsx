import { raw } from 'hono/html';
import type { Child } from 'hono/jsx';
import type { Lang } from '../i18n/messages';

/**
 * The frame of every HTML page, hosted or console: the doctype (without it browsers render in
 * quirks mode), the language, the viewport, the title, and what `head` adds (stylesheets, scripts).
 */
export function Document(props: { lang: Lang; title: string; head?: Child; children?: Child }) {
  return (
    <>
      {raw('<!doctype html>')}
      <html lang={props.lang}>
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <title>{props.title}</title>
          {props.head}
        </head>
        <body>{props.children}</body>
      </html>
    </>
  );
}

/**
 * Every hosted page. It loads /assets/listgate.css, a static file (src/public/), so the CSP needs
 * no inline style. `stylesheet` adds another file of src/public after it; `wide` widens the main column.
 */
export function Layout(props: { lang: Lang; title: string; stylesheet?: string; wide?: boolean; children?: Child }) {
  const head = (
    <>
      <meta name="referrer" content="no-referrer" />
      <link rel="stylesheet" href="/assets/listgate.css" />
      {props.stylesheet ? <link rel="stylesheet" href={props.stylesheet} /> : null}
    </>
  );
  return (
    <Document lang={props.lang} title={props.title} head={head}>
      <main class={props.wide ? 'wide' : undefined}>
        <h1>{props.title}</h1>
        {props.children}
      </main>
    </Document>
  );
}
