import { raw } from 'hono/html';
import type { Child } from 'hono/jsx';
import type { Lang } from '../i18n/messages';

/**
 * Every hosted page. It starts with the doctype (without it browsers render in quirks mode) and
 * loads /assets/listgate.css, a static file (src/public/), so the CSP needs no inline style.
 * `stylesheet` adds another file of src/public after it; `wide` widens the main column.
 */
export function Layout(props: { lang: Lang; title: string; stylesheet?: string; wide?: boolean; children?: Child }) {
  return (
    <>
      {raw('<!doctype html>')}
      <html lang={props.lang}>
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <meta name="referrer" content="no-referrer" />
          <title>{props.title}</title>
          <link rel="stylesheet" href="/assets/listgate.css" />
          {props.stylesheet ? <link rel="stylesheet" href={props.stylesheet} /> : null}
        </head>
        <body>
          <main class={props.wide ? 'wide' : undefined}>
            <h1>{props.title}</h1>
            {props.children}
          </main>
        </body>
      </html>
    </>
  );
}
