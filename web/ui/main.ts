import 'uplot/dist/uPlot.min.css';
import './style.css';
import type { Checkpoints, Exceptions, JobConfigView, JobDetail, JobsOverview, VertexDetail } from '../server/schemas.js';
import { Api, takeToken } from './api.js';
import { renderCheckpoints } from './checkpoints-view.js';
import { renderConfig } from './config-view.js';
import { renderExceptions } from './exceptions-view.js';
import { count, duration, el, rate, time } from './format.js';
import { JobGraphView } from './job-graph-view.js';
import { ThroughputChart } from './throughput-chart.js';
import { renderVertex } from './vertex-panel.js';

type Tab = 'overview' | 'checkpoints' | 'exceptions' | 'configuration';
const TABS: readonly Tab[] = ['overview', 'checkpoints', 'exceptions', 'configuration'];
/** Tabs other than the overview fetch their data at most this often while updates stream in. */
const TAB_REFRESH_MS = 1000;

const app = document.getElementById('app')!;

function field(label: string, id: string): HTMLElement {
  return el('div', { class: 'field' }, el('span', { class: 'label' }, label), el('span', { id, 'data-testid': id }, '–'));
}

/** The dashboard of one job: header, tabs, live updates from its stream. */
class JobPage {
  private tab: Tab = 'overview';
  private graph: JobGraphView | undefined;
  private chart: ThroughputChart | undefined;
  private openVertex: string | undefined;
  private openCheckpoint = { id: undefined as number | undefined };
  private lastTabRefresh = 0;
  private detail: JobDetail | undefined;
  private readonly panes: Record<Tab, HTMLElement>;
  private readonly vertexPane = el('div', { class: 'vertex-panel', 'data-testid': 'vertex-panel' });
  private readonly graphPane = el('div', { class: 'graph-pane' });
  private readonly chartPane = el('div', { class: 'chart-pane' });
  private readonly message = el('div', { class: 'message', id: 'action-message', 'data-testid': 'action-message' });
  private readonly connection = el('span', { class: 'connection', 'data-testid': 'connection' }, 'connecting…');

  constructor(
    private readonly api: Api,
    private readonly jobId: string,
    container: HTMLElement,
    signal: AbortSignal,
  ) {
    this.panes = {
      overview: el('section', {}, el('h3', {}, 'Rows per second'), this.chartPane, el('h3', {}, 'Job graph'), this.graphPane, this.vertexPane),
      checkpoints: el('section', { 'data-testid': 'checkpoints-tab' }),
      exceptions: el('section', { 'data-testid': 'exceptions-tab' }),
      configuration: el('section', { 'data-testid': 'configuration-tab' }),
    };
    const savepoint = el('button', { type: 'button', 'data-testid': 'trigger-savepoint' }, 'Trigger savepoint');
    savepoint.addEventListener('click', () => void this.savepoint(savepoint));
    const stop = el('button', { type: 'button', 'data-testid': 'stop-with-savepoint' }, 'Stop with savepoint');
    stop.addEventListener('click', () => void this.stop(stop));
    const tabs = el('nav', { class: 'tabs' });
    for (const tab of TABS) {
      const button = el('button', { type: 'button', 'data-tab': tab, 'data-testid': `tab-${tab}` }, tab[0]!.toUpperCase() + tab.slice(1));
      button.addEventListener('click', () => this.show(tab));
      tabs.append(button);
    }
    container.replaceChildren(
      el(
        'header',
        {},
        el('h1', {}, el('span', { id: 'job-name', 'data-testid': 'job-name' }, '…'), ' ', el('span', { class: 'status', id: 'job-status', 'data-testid': 'job-status' }, '')),
        el(
          'div',
          { class: 'fields' },
          field('job id', 'job-id'),
          field('started', 'job-start'),
          field('uptime', 'job-uptime'),
          field('restarts', 'job-restarts'),
          field('rows in/s', 'rate-in'),
          field('rows out/s', 'rate-out'),
          field('rows read', 'rows-in'),
          field('rows written', 'rows-out'),
        ),
        el('div', { class: 'actions' }, savepoint, stop, this.connection),
        this.message,
      ),
      tabs,
      ...TABS.map((tab) => this.panes[tab]),
    );
    this.show('overview');
    void this.api.follow(
      `/jobs/${encodeURIComponent(jobId)}/stream`,
      (event, data) => {
        if (event === 'update') this.update(JSON.parse(data) as JobDetail);
      },
      (connected) => {
        this.connection.textContent = connected ? 'live' : 'disconnected — retrying';
        this.connection.className = `connection ${connected ? 'live' : 'lost'}`;
      },
      signal,
    );
  }

  private show(tab: Tab): void {
    this.tab = tab;
    for (const t of TABS) this.panes[t].hidden = t !== tab;
    document.querySelectorAll('nav.tabs button').forEach((b) => b.classList.toggle('active', b.getAttribute('data-tab') === tab));
    this.lastTabRefresh = 0;
    void this.refreshTab();
  }

  private update(detail: JobDetail): void {
    this.detail = detail;
    const set = (id: string, text: string) => {
      document.getElementById(id)!.textContent = text;
    };
    set('job-name', detail.name);
    set('job-status', detail.status);
    document.getElementById('job-status')!.className = `status status-${detail.status}`;
    set('job-id', detail.id);
    set('job-start', time(detail.startTime));
    set('job-uptime', duration(detail.uptimeMs));
    set('job-restarts', String(detail.restarts));
    set('rate-in', rate(detail.rowsInPerSecond));
    set('rate-out', rate(detail.rowsOutPerSecond));
    set('rows-in', count(detail.rowsIn));
    set('rows-out', count(detail.rowsOut));
    this.chart ??= new ThroughputChart(this.chartPane);
    this.chart.update(detail.throughput);
    if (this.graph === undefined) {
      this.graph = new JobGraphView(detail, (vertex) => {
        this.openVertex = vertex.uid ?? vertex.id;
        void this.refreshVertex();
      });
      this.graphPane.replaceChildren(this.graph.element);
    } else this.graph.update(detail);
    void this.refreshTab();
  }

  private async refreshVertex(): Promise<void> {
    if (this.openVertex === undefined) return;
    const vertex = await this.api.get<VertexDetail>(`/jobs/${encodeURIComponent(this.jobId)}/vertices/${encodeURIComponent(this.openVertex)}`);
    renderVertex(vertex, this.vertexPane, () => {
      this.openVertex = undefined;
      this.vertexPane.replaceChildren();
    });
  }

  /** Fetches the open tab's data, at most once per TAB_REFRESH_MS. */
  private async refreshTab(): Promise<void> {
    const now = Date.now();
    if (now - this.lastTabRefresh < TAB_REFRESH_MS) return;
    this.lastTabRefresh = now;
    const base = `/jobs/${encodeURIComponent(this.jobId)}`;
    try {
      if (this.tab === 'overview') await this.refreshVertex();
      else if (this.tab === 'checkpoints') renderCheckpoints(await this.api.get<Checkpoints>(`${base}/checkpoints`), this.panes.checkpoints, this.openCheckpoint);
      else if (this.tab === 'exceptions') renderExceptions(await this.api.get<Exceptions>(`${base}/exceptions`), this.panes.exceptions);
      else if (this.panes.configuration.childElementCount === 0) renderConfig(await this.api.get<JobConfigView>(`${base}/config`), this.panes.configuration);
    } catch (error) {
      this.say(`cannot refresh the ${this.tab} tab: ${(error as Error).message}`, true);
    }
  }

  private say(text: string, failed: boolean): void {
    this.message.textContent = text;
    this.message.className = `message ${failed ? 'failed' : 'ok'}`;
  }

  private async savepoint(button: HTMLButtonElement): Promise<void> {
    button.disabled = true;
    this.say('taking a savepoint…', false);
    try {
      const { path } = await this.api.post<{ path: string }>(`/jobs/${encodeURIComponent(this.jobId)}/savepoints`, {});
      this.say(`savepoint written to ${path}`, false);
      this.lastTabRefresh = 0;
      void this.refreshTab();
    } catch (error) {
      this.say(`savepoint failed: ${(error as Error).message}`, true);
    } finally {
      button.disabled = false;
    }
  }

  private async stop(button: HTMLButtonElement): Promise<void> {
    if (!confirm(`Stop job ${this.detail?.name ?? this.jobId} with a savepoint?`)) return;
    button.disabled = true;
    this.say('stopping with a savepoint…', false);
    try {
      const stopped = await this.api.post<{ savepointPath: string | null }>(`/jobs/${encodeURIComponent(this.jobId)}/stop`, { savepoint: true });
      this.say(`job stopped; savepoint written to ${stopped.savepointPath ?? '(none)'}`, false);
    } catch (error) {
      this.say(`stop failed: ${(error as Error).message}`, true);
      button.disabled = false;
    }
  }
}

async function start(): Promise<void> {
  const token = takeToken();
  if (token === undefined) {
    app.replaceChildren(el('p', { class: 'message failed' }, 'No dashboard token: open the URL that `sluice run --web-ui` or `sluice ui` printed (it ends with #token=…).'));
    return;
  }
  const api = new Api(token);
  let overview: JobsOverview;
  try {
    overview = await api.get<JobsOverview>('/jobs');
  } catch (error) {
    app.replaceChildren(el('p', { class: 'message failed' }, `The dashboard refused or did not answer: ${(error as Error).message}`));
    return;
  }
  if (overview.jobs.length === 0) {
    app.replaceChildren(el('p', {}, 'No running jobs.'));
    return;
  }
  const wanted = new URLSearchParams(location.search).get('job');
  const chosen = overview.jobs.find((job) => job.id === wanted) ?? overview.jobs[0]!;
  const page = el('div', {});
  const children: Node[] = [];
  if (overview.jobs.length > 1) {
    const select = el('select', { 'data-testid': 'job-select' }, ...overview.jobs.map((job) => el('option', { value: job.id, ...(job.id === chosen.id ? { selected: '' } : {}) }, `${job.name} (${job.id})`)));
    select.addEventListener('change', () => {
      location.search = `?job=${encodeURIComponent(select.value)}`;
    });
    children.push(el('div', { class: 'job-select' }, 'job: ', select));
  }
  app.replaceChildren(...children, page);
  new JobPage(api, chosen.id, page, new AbortController().signal);
}

void start();
