import type * as Plot from '@observablehq/plot'
import { parseHTML } from 'linkedom'

/** The document type Observable Plot draws into. */
export type PlotDocument = NonNullable<Plot.PlotOptions['document']>

/** The part of a DOM element that turning a chart into markup needs (the runtime has no DOM types). */
interface MarkupElement {
  readonly tagName: string
  readonly outerHTML: string
  readonly parentElement: unknown
  getAttribute(name: string): string | null
  setAttribute(name: string, value: string): void
  querySelectorAll(selectors: string): Iterable<MarkupElement>
}

let shared: PlotDocument | undefined

/** A DOM document for Observable Plot to draw into; linkedom, because Node has no DOM. */
export function plotDocument(): PlotDocument {
  shared ??= parseHTML('<!doctype html><html><body></body></html>').document as unknown as PlotDocument
  return shared
}

/** What `Plot.plot` returns: an `<svg>`, or a `<figure>` around one when it adds a title or legend. */
export type PlotElement = ReturnType<typeof Plot.plot>

/**
 * The chart's `<svg>` as standalone markup. A `<figure>` (title, legends) is reduced to its main
 * chart: its HTML parts are not SVG, and resvg could not draw them.
 */
export function plotSvg(element: PlotElement): string {
  const root = element as unknown as MarkupElement
  const svg = root.tagName.toLowerCase() === 'svg' ? root : lastChart(root)
  svg.setAttribute('xmlns', 'http://www.w3.org/2000/svg')
  return svg.outerHTML
}

function lastChart(figure: MarkupElement): MarkupElement {
  const charts = [...figure.querySelectorAll('svg')].filter((s) => !(s.getAttribute('class') ?? '').endsWith('-ramp') && s.parentElement === figure)
  const chart = charts[charts.length - 1]
  if (chart === undefined) throw new Error('Observable Plot returned a figure without a chart')
  return chart
}
