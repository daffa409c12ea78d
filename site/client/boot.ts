/**
 * Browser entry shared by every island bundle: finds the server-rendered
 * island elements of one island and hydrates them with the props serialised
 * next to them (`<script type="application/json" id=…>`, never executed).
 *
 * Browser code: imports only preact.
 *
 * @module
 */
import { type ComponentType, h, hydrate } from "preact";

/** Hydrates every `[data-island=name]` element with `component`. */
// deno-lint-ignore no-explicit-any -- islands have different props; each checks its own.
export function boot(name: string, component: ComponentType<any>): void {
  const elements = document.querySelectorAll<HTMLElement>(`[data-island="${name}"]`);
  for (const el of elements) {
    const propsEl = document.getElementById(el.dataset.props ?? "");
    const props = propsEl?.textContent ? JSON.parse(propsEl.textContent) : {};
    hydrate(h(component, props), el);
  }
}
