import { raw } from 'hono/html';
import type { Child } from 'hono/jsx';
import type { Lang } from '../i18n/messages';

/**
 * Every hosted page. It starts with the doctype (without it browsers render in quirks mode) and
 * loads only /assets/listgate.css, a static file (src/public/), so the CSP needs no inline style.
 */
export function Layout(props: { lang: Lang; title: string; children?: Child }) {
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
        </head>
        <body>
          <main>
            <h1>{props.title}</h1>
            {props.children}
          </main>
        </body>
      </html>
    </>
  );
}
