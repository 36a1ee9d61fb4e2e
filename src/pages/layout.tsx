import type { Child } from 'hono/jsx';
import type { Lang } from '../i18n/messages';

/** Served at /assets/listgate.css: pages load no external assets and no inline script. */
export const stylesheet = `*,*::before,*::after{box-sizing:border-box}
body{margin:0;font-family:system-ui,-apple-system,"Segoe UI","Hiragino Sans","Noto Sans JP",sans-serif;line-height:1.6;color:#1a1a1a;background:#f6f7f9}
main{max-width:32rem;margin:2rem auto;padding:1.5rem;background:#fff;border-radius:8px;box-shadow:0 1px 3px rgba(0,0,0,.12)}
h1{font-size:1.5rem;line-height:1.3;margin:0 0 1rem;overflow-wrap:anywhere}
p{margin:0 0 1rem;overflow-wrap:anywhere}
label{display:block;font-weight:600;margin:.75rem 0 .25rem}
input[type=email],input[type=text]{font:inherit;width:100%;padding:.6rem;border:1px solid #6b7280;border-radius:6px}
button{font:inherit;margin-top:1rem;padding:.7rem 1.2rem;font-size:1rem;border:0;border-radius:6px;background:#1d4ed8;color:#fff;cursor:pointer}
button:focus-visible,input:focus-visible{outline:3px solid #f59e0b;outline-offset:2px}
.hp{position:absolute;left:-10000px;width:1px;height:1px;overflow:hidden}
.error{color:#b91c1c}
.notice{border-left:4px solid #b91c1c;background:#fef2f2;padding:.75rem 1rem;margin:0 0 1rem;border-radius:4px}
.notice p{margin:0 0 .25rem}
.suggestion{margin:0 0 1.5rem}
.suggestion button{margin-top:0;max-width:100%;overflow-wrap:anywhere;text-align:left}
a.button{display:inline-block;padding:.7rem 1.2rem;border-radius:6px;background:#1d4ed8;color:#fff;text-decoration:none;font-weight:600}
a.button:focus-visible{outline:3px solid #f59e0b;outline-offset:2px}
.consent{margin-top:1.25rem;font-size:.875rem;color:#4b5563}
.consent p{margin:0 0 .5rem}
@media (max-width:400px){main{margin:0;border-radius:0;min-height:100vh;padding:1rem}}`;

/** A hosted page. `stylesheet` adds a served stylesheet after the base one; `wide` widens the main column. */
export function Layout(props: { lang: Lang; title: string; stylesheet?: string; wide?: boolean; children?: Child }) {
  return (
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
  );
}
