/**
 * Islands on the server: an island is rendered to HTML like any component,
 * inside a marker element naming it, with its props serialised next to it in
 * a `<script type="application/json">` data block (inert: never executed, so
 * a `script-src 'self'` CSP allows it). The page then loads the island's
 * bundle (`<script type="module" src=…>`), which hydrates the marker element
 * with those props (see `site/client/boot.ts`).
 *
 * @module
 */
import { type ComponentType, createContext, h, type JSX } from "preact";
import { useContext } from "preact/hooks";
import type { AssetManifest } from "../lib/assets.ts";

/** The islands one page render used (one registry per request). */
export interface IslandRegistry {
  /** Island names in first-use order. */
  readonly used: Set<string>;
  /** A fresh element id for an island's props. */
  nextId(name: string): string;
}

/** Creates an empty registry. */
export function createIslandRegistry(): IslandRegistry {
  let n = 0;
  const used = new Set<string>();
  return {
    used,
    nextId(name) {
      used.add(name);
      return `island-props-${++n}`;
    },
  };
}

/** Carries the request's registry down the tree. */
export const IslandContext = createContext<IslandRegistry | null>(null);

/**
 * JSON that is safe inside a `<script>` element: `<`, `>`, `&` and the JS
 * line separators are written as `\u` escapes, so no value (e.g. a logged
 * string containing `</script>`) can end the element early. `JSON.parse`
 * reads the escapes back to the original characters.
 */
export function safeJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, "\\u003c")
    .replace(/>/g, "\\u003e")
    .replace(/&/g, "\\u0026")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}

/** Props of {@link Island}. */
export interface IslandProps<P> {
  /** File name in `site/islands/` without extension. */
  name: string;
  component: ComponentType<P>;
  /** Serialisable props (JSON values only). */
  props: P;
}

/** Server-renders an island and serialises its props for hydration. */
export function Island<P>({ name, component, props }: IslandProps<P>): JSX.Element {
  const registry = useContext(IslandContext);
  if (registry === null) throw new Error("Island rendered outside a page render");
  const id = registry.nextId(name);
  // The only dangerouslySetInnerHTML of the site: the text is safeJson output,
  // which cannot contain "<" (so no markup, no "</script>").
  return (
    <>
      <div class="island" data-island={name} data-props={id}>
        {h(component as ComponentType<P & object>, props as P & object)}
      </div>
      <script
        type="application/json"
        id={id}
        dangerouslySetInnerHTML={{ __html: safeJson(props) }}
      />
    </>
  );
}

/** Module scripts of the islands the page used (none without a build). */
export function IslandScripts(
  { assets, assetBase }: { assets: AssetManifest | null; assetBase: string },
): JSX.Element | null {
  const registry = useContext(IslandContext);
  if (!assets || !registry) return null;
  const files = [...registry.used].flatMap((name) => {
    const file = assets.islands[name];
    return file ? [file] : [];
  });
  return <>{files.map((f) => <script type="module" src={`${assetBase}${f}`} key={f} />)}</>;
}
