import dagre from '@dagrejs/dagre';
import type { JobDetail, Vertex } from '../server/schemas.js';
import { bytes, percent, rate, watermark } from './format.js';

const SVG = 'http://www.w3.org/2000/svg';
const NODE_WIDTH = 230;
const NODE_HEIGHT = 104;
const CHAIN_PADDING = 12;

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attributes: Record<string, string | number>, text?: string): SVGElementTagNameMap[K] {
  const element = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
  if (text !== undefined) element.textContent = text;
  return element;
}

/** The colour of a vertex's back-pressure: Flink's green (OK), orange (low) and red (high). */
function pressureClass(ratio: number): string {
  return ratio >= 0.5 ? 'bp-high' : ratio >= 0.1 ? 'bp-low' : 'bp-ok';
}

/**
 * The job graph as an SVG laid out by dagre, left to right: a box per operator (uid, parallelism, rows/s in and
 * out, back-pressure, watermark and lag, state size), chains framed together, edges labelled with their
 * partitioning. Laid out once; `update` only rewrites the figures.
 */
export class JobGraphView {
  readonly element: SVGSVGElement;
  private readonly figures = new Map<string, { readonly lines: SVGTextElement[]; readonly box: SVGRectElement }>();

  constructor(detail: JobDetail, onOpen: (vertex: Vertex) => void) {
    const graph = new dagre.graphlib.Graph();
    graph.setGraph({ rankdir: 'LR', nodesep: 30, ranksep: 70, marginx: 24, marginy: 40 });
    graph.setDefaultEdgeLabel(() => ({}));
    for (const vertex of detail.vertices) graph.setNode(vertex.id, { width: NODE_WIDTH, height: NODE_HEIGHT });
    for (const edge of detail.edges) graph.setEdge(edge.from, edge.to, { label: edge.partitioning, width: 60, height: 16 });
    dagre.layout(graph);
    const { width = 400, height = 200 } = graph.graph();
    this.element = svg('svg', { viewBox: `0 0 ${width} ${height}`, width, height, style: 'max-width: 100%; height: auto', class: 'job-graph', 'data-testid': 'job-graph' });
    const defs = svg('defs', {});
    const marker = svg('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 10, refY: 5, markerWidth: 8, markerHeight: 8, orient: 'auto-start-reverse' });
    marker.append(svg('path', { d: 'M 0 0 L 10 5 L 0 10 z', class: 'arrow' }));
    defs.append(marker);
    this.element.append(defs);

    for (const chain of detail.chains.filter((c) => c.operators.length > 1)) {
      const boxes = chain.operators.map((id) => graph.node(id));
      const left = Math.min(...boxes.map((b) => b.x - b.width / 2)) - CHAIN_PADDING;
      const top = Math.min(...boxes.map((b) => b.y - b.height / 2)) - CHAIN_PADDING;
      const right = Math.max(...boxes.map((b) => b.x + b.width / 2)) + CHAIN_PADDING;
      const bottom = Math.max(...boxes.map((b) => b.y + b.height / 2)) + CHAIN_PADDING;
      this.element.append(svg('rect', { x: left, y: top, width: right - left, height: bottom - top, rx: 10, class: 'chain' }));
      this.element.append(svg('text', { x: left + 8, y: top - 4, class: 'chain-label' }, `chain ${chain.id} ×${chain.parallelism}`));
    }
    for (const edge of detail.edges) {
      const layout = graph.edge(edge.from, edge.to);
      const points = ((layout.points ?? []) as { x: number; y: number }[]).map((p) => `${p.x},${p.y}`).join(' ');
      this.element.append(svg('polyline', { points, class: `edge edge-${edge.partitioning}`, 'marker-end': 'url(#arrow)' }));
      if (layout.x !== undefined && layout.y !== undefined) this.element.append(svg('text', { x: layout.x, y: layout.y, class: 'edge-label' }, edge.partitioning.toUpperCase()));
    }
    for (const vertex of detail.vertices) {
      const node = graph.node(vertex.id);
      const x = node.x - NODE_WIDTH / 2;
      const y = node.y - NODE_HEIGHT / 2;
      const group = svg('g', { class: 'vertex', 'data-uid': vertex.uid ?? vertex.id, tabindex: 0, role: 'button' });
      const box = svg('rect', { x, y, width: NODE_WIDTH, height: NODE_HEIGHT, rx: 6, class: 'vertex-box' });
      const title = svg('text', { x: x + 8, y: y + 17, class: 'vertex-title' }, `${vertex.uid ?? vertex.id}  ×${vertex.parallelism}`);
      const name = svg('text', { x: x + 8, y: y + 33, class: 'vertex-name' }, vertex.name.length > 30 ? `${vertex.name.slice(0, 29)}…` : vertex.name);
      const lines = [0, 1, 2].map((i) => svg('text', { x: x + 8, y: y + 52 + i * 17, class: 'vertex-figures' }));
      group.append(box, title, name, ...lines);
      group.addEventListener('click', () => onOpen(this.current.get(vertex.id) ?? vertex));
      group.addEventListener('keydown', (event) => {
        if (event.key === 'Enter') onOpen(this.current.get(vertex.id) ?? vertex);
      });
      this.element.append(group);
      this.figures.set(vertex.id, { lines, box });
    }
    this.update(detail);
  }

  private current = new Map<string, Vertex>();

  update(detail: JobDetail): void {
    this.current = new Map(detail.vertices.map((v) => [v.id, v]));
    for (const vertex of detail.vertices) {
      const figures = this.figures.get(vertex.id);
      if (figures === undefined) continue;
      const [rates, pressure, state] = figures.lines;
      rates!.textContent = `in ${rate(vertex.rowsInPerSecond)}/s  out ${rate(vertex.rowsOutPerSecond)}/s`;
      pressure!.textContent = `back-pressure ${percent(vertex.backpressure)}  wm ${watermark(vertex.watermark, vertex.watermarkLagMs)}`;
      state!.textContent = `state ${bytes(vertex.stateBytes)}`;
      figures.box.setAttribute('class', `vertex-box ${pressureClass(vertex.backpressure)}`);
    }
  }
}
