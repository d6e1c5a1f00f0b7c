/**
 * The one way this UI makes elements. Text always goes in as text nodes and attributes
 * through setAttribute, never through innerHTML: file names, paths and error messages
 * come from disk and the network, and must never be parsed as markup. (The page's CSP
 * would block injected scripts anyway; this keeps injected markup out too.)
 */

export type Child = Node | string | number | null | undefined | false | Child[];

type Handlers = { [K in keyof HTMLElementEventMap]?: (event: HTMLElementEventMap[K]) => void };

export interface Props {
  class?: string;
  on?: Handlers;
  /** Any other attribute: a string or number is set, `true` is set empty, false/null/undefined skip it. */
  [attribute: string]: string | number | boolean | null | undefined | Handlers;
}

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Props | null = null,
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (props) {
    for (const [name, value] of Object.entries(props)) {
      if (name === 'on') {
        for (const [event, handler] of Object.entries(value as Handlers))
          el.addEventListener(event, handler as EventListener);
      } else setAttribute(el, name, value as string | number | boolean | null | undefined);
    }
  }
  el.append(...flatten(children));
  return el;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

/** SVG elements; geometry goes in attributes, which the CSP allows (unlike style attributes). */
export function svg<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attributes: Record<string, string | number | boolean | null | undefined> = {},
  ...children: Child[]
): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attributes)) setAttribute(el, name, value);
  el.append(...flatten(children));
  return el;
}

function setAttribute(
  el: Element,
  name: string,
  value: string | number | boolean | null | undefined,
): void {
  if (value === false || value === null || value === undefined) return;
  el.setAttribute(name, value === true ? '' : String(value));
}

function flatten(children: Child[]): (Node | string)[] {
  const out: (Node | string)[] = [];
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) out.push(...flatten(c));
    else out.push(typeof c === 'number' ? String(c) : c);
  }
  return out;
}

/**
 * Runs `redraw` (which replaces elements inside `container`) and puts focus back on the
 * element carrying the same `data-key` as the one focused before, so live updates many
 * times a second never pull focus from under a keyboard user.
 */
export function keepingFocus(container: Element, redraw: () => void): void {
  const focused = document.activeElement;
  const key =
    focused && container.contains(focused) ? (focused as HTMLElement).dataset.key : undefined;
  redraw();
  if (key) container.querySelector<HTMLElement>(`[data-key="${CSS.escape(key)}"]`)?.focus();
}
