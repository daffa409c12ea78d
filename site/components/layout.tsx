/**
 * The page shell: head (stylesheets, favicon), navigation, the open-mode
 * banner or the signed-in viewer's sign-out button, footer with the model in
 * service, and the module scripts of the islands the page used. No inline
 * scripts or styles (the CSP is `script-src 'self'`, `style-src 'self'`).
 *
 * @module
 */
import type { ComponentChildren, JSX } from "preact";
import type { SiteContext } from "../context.ts";
import { IslandScripts } from "./island.tsx";
import { CsrfField, useViewer } from "./viewer.tsx";
import { OPEN_MODE_WARNING } from "../../api/auth/api_keys.ts";

/** Pages of the navigation. */
export const NAV = [
  { key: "overview", path: "", label: "Overview" },
  { key: "scores", path: "/scores", label: "Score distribution" },
  { key: "drift", path: "/drift", label: "Drift" },
  { key: "performance", path: "/performance", label: "Performance" },
  { key: "predictions", path: "/predictions", label: "Predictions" },
  { key: "models", path: "/models", label: "Models" },
  { key: "score", path: "/score", label: "Score an applicant" },
] as const;

/** Key of a navigation entry. */
export type NavKey = typeof NAV[number]["key"];

/** Props of {@link Layout}. */
export interface LayoutProps {
  ctx: SiteContext;
  title: string;
  active?: NavKey;
  /** Window key carried over by the navigation links. */
  windowKey?: string;
  children: ComponentChildren;
}

/** Who is signed in, and the sign-out button of a session. */
function SignedIn({ ctx }: { ctx: SiteContext }): JSX.Element | null {
  const viewer = useViewer();
  if (viewer === null || viewer.via === "open") return null;
  return (
    <div class="signed-in">
      <span class="muted small">
        Admin key <code>{viewer.keyId}</code>
        {viewer.via === "key" ? " (Authorization header)" : ""}
      </span>
      {viewer.via === "session" && (
        <form method="post" action={`${ctx.base}/logout`} class="logout-form">
          <CsrfField />
          <button type="submit" class="link-button">Log out</button>
        </form>
      )}
    </div>
  );
}

/** The HTML document around a page. */
export function Layout({ ctx, title, active, windowKey, children }: LayoutProps): JSX.Element {
  const q = windowKey ? `?window=${encodeURIComponent(windowKey)}` : "";
  const meta = ctx.meta;
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${title} · Scorewatch`}</title>
        <link rel="icon" href={`${ctx.base}/static/favicon.ico`} />
        <link rel="stylesheet" href={`${ctx.base}/static/site.css`} />
        {ctx.assets?.css.map((f) => (
          <link
            rel="stylesheet"
            href={`${ctx.assetBase}${f}`}
            key={f}
          />
        ))}
      </head>
      <body>
        <header class="top">
          <a class="brand" href={ctx.base}>Scorewatch</a>
          <nav aria-label="Monitoring pages">
            {NAV.map((n) => (
              <a
                key={n.key}
                href={`${ctx.base}${n.path}${n.key === "score" ? "" : q}`}
                aria-current={n.key === active ? "page" : undefined}
              >
                {n.label}
              </a>
            ))}
          </nav>
          <SignedIn ctx={ctx} />
        </header>
        {ctx.openMode && (
          <p class="banner open-mode" role="alert" data-testid="open-mode">
            <strong>Open mode:</strong> {OPEN_MODE_WARNING}. Set <code>ADMIN_KEYS</code> (and{" "}
            <code>API_KEYS</code>) to require a login.
          </p>
        )}
        <main>
          <h1>{title}</h1>
          {children}
        </main>
        <footer>
          <span>
            Model <code>{meta.model_version}</code> ({meta.model_type}), threshold{" "}
            {meta.threshold.toFixed(3)}
          </span>
          <span>
            <a href="/docs">API docs</a> · <a href="/health">health</a>
          </span>
          {ctx.assets === null && (
            <span class="muted">
              Static mode: the island bundle is not built, so charts do not update live.
            </span>
          )}
        </footer>
        <IslandScripts assets={ctx.assets} assetBase={ctx.assetBase} />
      </body>
    </html>
  );
}
