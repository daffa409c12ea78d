/**
 * The HTML error page of the site (404, 403, 5xx): same shell as every page,
 * the request id to quote, no internals.
 *
 * @module
 */
import type { JSX } from "preact";
import type { SiteContext } from "../context.ts";
import { Layout } from "./layout.tsx";

/** Props of {@link ErrorPage}. */
export interface ErrorPageProps {
  ctx: SiteContext;
  status: number;
  title: string;
  detail: string;
  requestId?: string;
}

/** An error page. */
export function ErrorPage({ ctx, status, title, detail, requestId }: ErrorPageProps): JSX.Element {
  return (
    <Layout ctx={ctx} title={title}>
      <p class="note" data-status={status}>{detail}</p>
      {requestId && (
        <p class="muted small">
          Request id <code>{requestId}</code>
        </p>
      )}
      <p>
        <a href={ctx.base}>Back to the overview</a>
      </p>
    </Layout>
  );
}
