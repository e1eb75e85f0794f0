// The Agora console: a read-only page over the controller's /api/v1 JSON API, refreshed when
// the server's event stream (/api/v1/watch) says the caches changed. Every string from the
// cluster goes into the page as a text node or an attribute set through the DOM, never as HTML.

const view = document.getElementById('view');
const live = document.getElementById('live');
const PALETTE = ['#3b6fd8', '#e6553c', '#2e9e6b', '#9b59b6', '#e6a23c', '#16a2b8', '#d6336c', '#6c757d', '#8bc34a', '#795548'];

/** An element: props set as properties (className, href, title, onclick…) or, for data-*, attributes; children as text nodes. */
function h(tag, props, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(props ?? {})) {
    if (v === undefined || v === null) continue;
    if (k.startsWith('data-')) el.setAttribute(k, String(v));
    else if (k === 'width') el.style.width = v;
    else el[k] = v;
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

const pct = (x) => `${(100 * (x ?? 0)).toFixed(1)}%`;
const link = (hash, text) => h('a', { href: hash }, text);
const fwHash = (ns, name) => `#/frameworks/${encodeURIComponent(ns)}/${encodeURIComponent(name)}`;
const podHash = (ns, name) => `#/pods/${encodeURIComponent(ns)}/${encodeURIComponent(name)}`;
const nodeHash = (name) => `#/nodes?q=${encodeURIComponent(name)}`;
const clamp = (x) => `${Math.max(0, Math.min(100, 100 * (x ?? 0))).toFixed(2)}%`;

/** A stacked bar: Agora's tasks, other pods, offered; the rest is idle. */
function usageBar(f, title) {
  return h(
    'div',
    { className: 'bar', title },
    h('span', { className: 'agora', width: clamp(f.agora) }),
    h('span', { className: 'other', width: clamp(f.other) }),
    h('span', { className: 'offered', width: clamp(f.offered) }),
  );
}

/** A dominant share as a bar, with a tick at the fair share when there is one. */
function shareBar(share, fair) {
  const bar = h(
    'div',
    { className: 'bar', title: fair === undefined ? pct(share) : `${pct(share)} (fair share ${pct(fair)})` },
    h('span', { className: 'agora', width: clamp(share) }),
  );
  if (fair !== undefined) {
    const tick = h('i', { className: 'fair' });
    tick.style.left = clamp(fair);
    bar.append(tick);
  }
  return bar;
}

function table(headers, rows, empty = 'None.') {
  if (rows.length === 0) return h('p', { className: 'muted' }, empty);
  return h(
    'table',
    {},
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        headers.map((x) => (x instanceof Node ? x : h('th', {}, x))),
      ),
    ),
    h('tbody', {}, rows),
  );
}

const td = (...c) => h('td', {}, ...c);
const tdWrap = (...c) => h('td', { className: 'wrap' }, ...c);
const taskCounts = (t) =>
  Object.entries(t ?? {})
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${n} ${k}`)
    .join(', ') || '-';

async function getJSON(path) {
  const res = await fetch(path, { headers: { Accept: 'application/json' } });
  const body = await res.json();
  if (!res.ok) throw new Error(body.error ?? `HTTP ${res.status}`);
  return body;
}

// ---- pages -------------------------------------------------------------------------------

let chart; // the overview's uPlot, kept across refreshes of the overview
let chartKey = '';

function shareChart(host, legend, shares) {
  const names = Object.keys(shares.shares);
  const key = names.join('\u0000');
  const data = [shares.times.map((t) => t / 1000), ...names.map((n) => shares.shares[n])];
  legend.replaceChildren(
    ...names.map((n, i) => {
      const vals = shares.shares[n];
      const last = vals[vals.length - 1];
      return h(
        'span',
        { 'data-fw': n },
        h('span', { className: 'sw', 'data-color': i }),
        `${n} `,
        h('b', { 'data-share': last ?? '' }, last === null || last === undefined ? '-' : pct(last)),
      );
    }),
  );
  legend
    .querySelectorAll('span.sw')
    .forEach((el) => (el.style.background = PALETTE[Number(el.getAttribute('data-color')) % PALETTE.length]));
  if (typeof uPlot === 'undefined') return;
  if (chart !== undefined && chartKey === key && host.contains(chart.root)) {
    chart.setData(data);
    return;
  }
  chart?.destroy();
  chartKey = key;
  host.replaceChildren();
  chart = new uPlot(
    {
      width: Math.max(320, host.clientWidth - 16),
      height: 240,
      legend: { show: false },
      scales: { y: { range: [0, 1] } },
      axes: [{}, { values: (_u, ticks) => ticks.map((t) => `${Math.round(t * 100)}%`) }],
      series: [{}, ...names.map((n, i) => ({ label: n, stroke: PALETTE[i % PALETTE.length], width: 2 }))],
    },
    data,
    host,
  );
}

const OFFER_SERIES = [
  ['made', '#3b6fd8'],
  ['accepted', '#2e9e6b'],
  ['declined', '#e6a23c'],
  ['rescinded', '#9b59b6'],
  ['expired', '#e6553c'],
];
let offerPlot; // the framework page's uPlot

/** A framework's offers per time bucket (made, accepted, declined, rescinded, expired), with totals. */
function offerChart(host, legend, hist) {
  const t = hist.totals;
  legend.replaceChildren(
    ...OFFER_SERIES.map(([name, color]) => {
      const sw = h('span', { className: 'sw' });
      sw.style.background = color;
      const refuse = name === 'declined' && t.refuseSeconds !== null ? ` (refused for ${Math.round(t.refuseSeconds)}s on average)` : '';
      return h('span', { 'data-outcome': name }, sw, `${name} `, h('b', { 'data-count': t[name] }, String(t[name])), refuse);
    }),
    h(
      'span',
      { className: 'muted' },
      `per ${hist.bucketSeconds}s over the last ${Math.round((hist.times.length * hist.bucketSeconds) / 60)} min`,
    ),
  );
  if (typeof uPlot === 'undefined') return;
  const data = [hist.times.map((x) => x / 1000), ...OFFER_SERIES.map(([name]) => hist[name])];
  if (offerPlot !== undefined && host.contains(offerPlot.root)) {
    offerPlot.setData(data);
    return;
  }
  offerPlot?.destroy();
  host.replaceChildren();
  offerPlot = new uPlot(
    {
      width: Math.max(320, host.clientWidth - 16),
      height: 180,
      legend: { show: false },
      scales: { y: { range: (_u, _min, max) => [0, Math.max(1, max)] } },
      series: [{}, ...OFFER_SERIES.map(([label, stroke]) => ({ label, stroke, width: 2, paths: uPlot.paths?.stepped?.({ align: 1 }) }))],
    },
    data,
    host,
  );
}

const overview = {
  title: 'Overview',
  mount(root) {
    this.cards = h('div', { className: 'cards', 'data-testid': 'counts' });
    this.resources = h('div', { 'data-testid': 'resources' });
    this.chartHost = h('div', { className: 'chart', 'data-testid': 'share-chart' });
    this.legend = h('div', { className: 'series-legend', 'data-testid': 'share-legend' });
    root.append(
      h('h1', {}, 'Overview'),
      this.cards,
      h('h2', {}, 'Resources'),
      h(
        'div',
        { className: 'legend muted' },
        h('span', { className: 'sw agora' }),
        'Agora tasks',
        h('span', { className: 'sw other' }),
        'other pods',
        h('span', { className: 'sw offered' }),
        'offered',
        h('span', { className: 'sw idle' }),
        'idle',
      ),
      this.resources,
      h('h2', {}, 'Dominant share over time'),
      this.chartHost,
      this.legend,
    );
  },
  url: () => '/api/v1/overview',
  update(d) {
    const c = d.counts;
    const card = (n, label, id) =>
      h('div', { className: 'card', 'data-testid': id }, h('div', { className: 'n' }, n), h('div', { className: 'label' }, label));
    this.cards.replaceChildren(
      card(`${c.readyNodes}/${c.nodes}`, 'nodes ready', 'nodes'),
      card(c.frameworks, 'frameworks', 'frameworks'),
      card(c.tasks.running ?? 0, 'tasks running', 'running'),
      card(c.tasks.staging + c.tasks.starting, 'tasks starting', 'starting'),
      card(c.tasks.finished ?? 0, 'tasks finished', 'finished'),
      card((c.tasks.failed ?? 0) + (c.tasks.lost ?? 0) + (c.tasks.error ?? 0) + (c.tasks.killed ?? 0), 'failed / lost / killed', 'failed'),
      card(c.outstandingOffers, 'outstanding offers', 'offers'),
    );
    this.resources.replaceChildren(
      table(
        ['resource', 'allocatable', 'Agora tasks', 'other pods', 'offered', 'idle', ''],
        d.resources.map((r) =>
          h(
            'tr',
            { 'data-resource': r.name },
            td(r.name),
            td(r.allocatable),
            td(r.agora),
            td(r.other),
            td(r.offered),
            td(r.idle),
            td(usageBar(r.fractions, `${r.name}: ${r.agora} tasks, ${r.other} other, ${r.offered} offered of ${r.allocatable}`)),
          ),
        ),
      ),
    );
    shareChart(this.chartHost, this.legend, d.shares);
  },
};

/** A page that is one table of a list route's items. */
function listPage(title, heading, url, headers, row, empty) {
  return {
    title,
    mount(root) {
      this.body = h('div', {});
      root.append(h('h1', {}, heading), this.body);
    },
    url: () => url,
    update(d) {
      this.body.replaceChildren(table(headers, d.items.map(row), empty));
    },
  };
}

const frameworks = listPage(
  'Frameworks',
  'Frameworks',
  '/api/v1/frameworks',
  ['namespace', 'name', 'role', 'scheduler', 'phase', 'dominant share', '', 'fair share', 'demand', 'tasks', 'offers out'],
  (f) =>
    h(
      'tr',
      { 'data-fw': `${f.namespace}/${f.name}` },
      td(f.namespace),
      td(link(fwHash(f.namespace, f.name), f.name)),
      td(f.role),
      td(f.scheduler),
      td(h('span', { className: `phase-${f.phase}` }, f.phase)),
      td(shareBar(f.dominantShare, f.fairShare)),
      td(pct(f.dominantShare)),
      h('td', { 'data-fair-share': f.fairShare }, pct(f.fairShare)),
      tdWrap(f.demand),
      td(taskCounts(f.tasks)),
      td(f.offersOut),
    ),
  'No frameworks.',
);

const framework = {
  title: 'Framework',
  mount(root, [ns, name]) {
    this.key = [ns, name];
    this.head = h('div', {});
    this.why = h('div', { className: 'why', 'data-testid': 'why' });
    this.tasks = h('div', { 'data-testid': 'tasks' });
    this.offers = h('div', { 'data-testid': 'offers' });
    this.offerChart = h('div', { className: 'chart', 'data-testid': 'offer-chart' });
    this.offerLegend = h('div', { className: 'series-legend', 'data-testid': 'offer-legend' });
    this.events = h('div', { 'data-testid': 'events' });
    root.append(
      h('h1', { 'data-testid': 'framework-title' }, `Framework ${ns}/${name}`),
      this.head,
      h('h2', {}, 'Why it gets no offers right now'),
      this.why,
      h('h2', {}, 'Tasks'),
      this.tasks,
      h('h2', {}, 'Offers over time'),
      this.offerChart,
      this.offerLegend,
      h('h2', {}, 'Offers'),
      this.offers,
      h('h2', {}, 'Events'),
      this.events,
    );
  },
  url() {
    return `/api/v1/frameworks/${encodeURIComponent(this.key[0])}/${encodeURIComponent(this.key[1])}`;
  },
  update(d) {
    const f = d.framework;
    this.head.replaceChildren(
      table(
        [
          'role',
          'scheduler',
          'phase',
          'dominant share',
          'fair share',
          'allocated',
          'demand',
          'constraints',
          'suppressed',
          'tasks',
          'offers out',
        ],
        [
          h(
            'tr',
            {},
            td(f.role),
            td(f.scheduler),
            td(h('span', { className: `phase-${f.phase}` }, f.phase)),
            td(pct(f.dominantShare)),
            td(pct(f.fairShare)),
            tdWrap(f.allocated),
            tdWrap(f.demand),
            tdWrap(f.constraints),
            td(String(f.suppressed)),
            td(taskCounts(f.tasks)),
            td(f.offersOut),
          ),
        ],
      ),
    );
    if (d.why === undefined) this.why.replaceChildren(h('span', { className: 'muted' }, 'The controller is not ready to explain yet.'));
    else {
      this.why.className = d.why.offered ? 'why offered' : 'why';
      this.why.setAttribute('data-reason', d.why.reason);
      this.why.replaceChildren(
        h('b', {}, d.why.offered ? 'It is offered resources in the next cycle.' : `Reason: ${d.why.reason}`),
        h(
          'ul',
          {},
          d.why.details.map((x) => h('li', { 'data-reason': x.reason }, x.text)),
        ),
      );
    }
    this.tasks.replaceChildren(taskTable(d.tasks, false));
    offerChart(this.offerChart, this.offerLegend, d.offerHistory);
    const counts = Object.entries(d.offerCounts)
      .map(([k, n]) => `${n} ${k}`)
      .join(', ');
    this.offers.replaceChildren(
      h('p', { className: 'muted', 'data-testid': 'offer-counts' }, counts === '' ? 'No offers kept.' : counts),
      table(
        ['offer', 'node', 'phase', 'resources', 'made', 'answered', 'refuse', 'reason'],
        d.offers.map((o) =>
          h(
            'tr',
            { 'data-offer': o.name },
            td(o.name),
            td(o.node),
            td(o.phase),
            tdWrap(o.resources),
            td(o.createdAt ?? ''),
            td(o.respondedAt ?? ''),
            td(o.refuseSeconds === undefined ? '' : `${o.refuseSeconds}s`),
            td(o.reason),
          ),
        ),
        '',
      ),
    );
    this.events.replaceChildren(
      table(
        ['time', 'type', 'reason', 'object', 'message'],
        d.events.map((e) => h('tr', {}, td(e.time), td(e.type), td(e.reason), td(e.object), tdWrap(e.message))),
        'No Events recorded by this controller.',
      ),
    );
  },
};

const pod = {
  title: 'Pod',
  mount(root, [ns, name]) {
    this.key = [ns, name];
    this.head = h('div', {});
    this.containers = h('div', { 'data-testid': 'containers' });
    this.conditions = h('div', {});
    root.append(
      h('h1', { 'data-testid': 'pod-title' }, `Pod ${ns}/${name}`),
      this.head,
      h('h2', {}, 'Containers'),
      this.containers,
      h('h2', {}, 'Conditions'),
      this.conditions,
    );
  },
  url() {
    return `/api/v1/pods/${encodeURIComponent(this.key[0])}/${encodeURIComponent(this.key[1])}`;
  },
  update(d) {
    const [taskNs, taskName] = d.task.split('/');
    this.head.replaceChildren(
      table(
        ['task', 'framework', 'node', 'phase', 'pod IP', 'started', 'deleting since'],
        [
          h(
            'tr',
            { 'data-pod': d.name },
            td(link(`#/tasks?framework=${encodeURIComponent(`${taskNs}/${d.framework}`)}`, taskName)),
            td(link(fwHash(d.namespace, d.framework), d.framework)),
            td(link(nodeHash(d.node), d.node)),
            td(d.phase),
            td(d.podIP ?? ''),
            td(d.startTime ?? ''),
            td(d.deletionTimestamp ?? ''),
          ),
        ],
      ),
    );
    this.containers.replaceChildren(
      table(
        ['container', 'image', 'state', 'exit code', 'reason', 'message', 'ready', 'restarts', 'started', 'finished'],
        d.containers.map((c) =>
          h(
            'tr',
            { 'data-container': c.name },
            td(c.name),
            tdWrap(c.image),
            td(c.state),
            td(c.exitCode ?? ''),
            td(c.reason ?? ''),
            tdWrap(c.message ?? ''),
            td(String(c.ready)),
            td(c.restartCount),
            td(c.startedAt ?? ''),
            td(c.finishedAt ?? ''),
          ),
        ),
        'No container status yet.',
      ),
    );
    this.conditions.replaceChildren(
      table(
        ['type', 'status', 'reason', 'message'],
        d.conditions.map((c) => h('tr', {}, td(c.type), td(c.status), td(c.reason ?? ''), tdWrap(c.message ?? ''))),
      ),
    );
  },
};

const roles = listPage(
  'Roles',
  'Roles',
  '/api/v1/roles',
  ['role', 'weight', 'guarantee', 'limit', 'allocated', 'reserved', 'share', 'frameworks'],
  (r) =>
    h(
      'tr',
      { 'data-role': r.name },
      td(r.name),
      td(r.weight),
      tdWrap(r.guarantee),
      tdWrap(r.limit),
      tdWrap(r.allocated),
      tdWrap(r.reserved),
      td(pct(r.dominantShare)),
      tdWrap(
        r.frameworks.flatMap((k, i) => {
          const [ns, ...rest] = k.split('/');
          return [i > 0 ? ', ' : '', link(fwHash(ns, rest.join('/')), k)];
        }),
      ),
    ),
  'No roles.',
);

const PAGE = 100;

/** Previous / next buttons over `page.offset`, with `page.matched` rows in all. */
function pager(page) {
  const prev = h('button', { type: 'button' }, '‹ previous');
  const next = h('button', { type: 'button', 'data-testid': 'next-page' }, 'next ›');
  prev.addEventListener('click', () => {
    page.offset = Math.max(0, page.offset - PAGE);
    refresh();
  });
  next.addEventListener('click', () => {
    if (page.offset + PAGE < page.matched) page.offset += PAGE;
    refresh();
  });
  return [prev, next];
}

/** Tasks as a table; with `all`, for the tasks page (their namespace and framework too). */
function taskTable(rows, all) {
  return table(
    [
      ...(all ? ['namespace'] : []),
      'task',
      ...(all ? ['framework'] : []),
      'state',
      'node',
      'pod',
      'exit code',
      'reason',
      'message',
      'created',
    ],
    rows.map((t) =>
      h(
        'tr',
        { 'data-task': t.name },
        all && td(t.namespace),
        td(t.name),
        all && td(link(fwHash(t.namespace, t.framework), t.framework)),
        td(h('span', { className: `state-${t.state}` }, t.state), t.revocable ? ' (revocable)' : ''),
        td(link(nodeHash(t.node), t.node)),
        td(link(podHash(t.namespace, t.pod), t.pod)),
        td(t.exitCode ?? ''),
        td(t.reason),
        tdWrap(t.message),
        td(t.createdAt ?? ''),
      ),
    ),
    all ? 'No tasks match.' : 'No tasks.',
  );
}

const nodes = {
  title: 'Nodes',
  q: '',
  sort: 'name',
  order: 'asc',
  offset: 0,
  mount(root, _params, query) {
    if (query.get('q') !== null) this.q = query.get('q');
    this.offset = 0;
    const search = h('input', { type: 'search', placeholder: 'filter: name or label=value', value: this.q, 'data-testid': 'node-filter' });
    search.addEventListener('input', () => {
      this.q = search.value;
      this.offset = 0;
      refresh();
    });
    this.info = h('span', { className: 'muted', 'data-testid': 'node-count' });
    this.body = h('div', {});
    root.append(h('h1', {}, 'Nodes'), h('div', { className: 'controls' }, search, ...pager(this), this.info), this.body);
  },
  url() {
    const p = new URLSearchParams({ sort: this.sort, order: this.order, offset: String(this.offset), limit: String(PAGE) });
    if (this.q) p.set('q', this.q);
    return `/api/v1/nodes?${p}`;
  },
  header(label, sort) {
    const th = h('th', { className: 'sortable', title: 'sort' }, label + (this.sort === sort ? (this.order === 'asc' ? ' ▲' : ' ▼') : ''));
    th.addEventListener('click', () => {
      this.order = this.sort === sort && this.order === 'asc' ? 'desc' : 'asc';
      this.sort = sort;
      refresh();
    });
    return th;
  },
  update(d) {
    this.matched = d.matched;
    const last = Math.min(d.offset + d.rows.length, d.matched);
    this.info.textContent = `${d.matched === 0 ? 0 : d.offset + 1}–${last} of ${d.matched} (${d.total} nodes)`;
    const names = d.rows.length === 0 ? ['cpu', 'memory'] : Object.keys(d.rows[0].resources);
    const shown = names.filter((n) => n !== 'pods' && n !== 'ephemeral-storage');
    this.body.replaceChildren(
      table(
        [
          this.header('node', 'name'),
          h('th', {}, 'status'),
          ...shown.flatMap((n) => [this.header(`${n} free`, `free:${n}`), this.header(`${n} used`, `used:${n}`)]),
          h('th', {}, 'reservations'),
          h('th', {}, 'labels'),
        ],
        d.rows.map((r) =>
          h(
            'tr',
            { 'data-node': r.name },
            td(r.name),
            td(r.ready ? (r.unschedulable ? 'Ready, cordoned' : 'Ready') : 'NotReady'),
            ...shown.flatMap((n) => {
              const u = r.resources[n];
              if (u === undefined) return [td('-'), td('')];
              return [
                td(`${u.free} / ${u.allocatable}`),
                td(usageBar(u.fractions, `${n}: tasks ${u.agora}, other ${u.other}, offered ${u.offered}, free ${u.free}`)),
              ];
            }),
            tdWrap(r.reservations.join('; ')),
            h(
              'td',
              { className: 'labels' },
              Object.entries(r.labels)
                .map(([k, v]) => `${k}=${v}`)
                .join(' '),
            ),
          ),
        ),
        'No nodes match.',
      ),
    );
  },
};

const offers = {
  title: 'Offers',
  mount(root) {
    this.body = h('div', {});
    this.inverse = h('div', { 'data-testid': 'inverse-offers' });
    root.append(
      h('h1', {}, 'Outstanding offers'),
      this.body,
      h('h2', {}, 'Inverse offers (maintenance windows not yet over)'),
      this.inverse,
    );
  },
  url: () => '/api/v1/offers',
  update(d) {
    this.body.replaceChildren(
      table(
        ['namespace', 'offer', 'framework', 'node', 'resources', 'age', 'expires in'],
        d.items.map((o) =>
          h(
            'tr',
            { 'data-offer': o.name },
            td(o.namespace),
            td(o.name),
            td(link(fwHash(o.namespace, o.framework), o.framework)),
            td(o.node),
            tdWrap(o.resources),
            td(`${o.ageSeconds}s`),
            td(o.expiresInSeconds === undefined ? '-' : `${o.expiresInSeconds}s`),
          ),
        ),
        'No outstanding offers.',
      ),
    );
    this.inverse.replaceChildren(
      table(
        ['namespace', 'framework', 'node', 'maintenance', 'starts in', 'tasks', 'answer', 'message'],
        (d.inverseOffers ?? []).map((io) =>
          h(
            'tr',
            { 'data-inverse-offer': io.name, 'data-phase': io.phase },
            td(io.namespace),
            td(link(fwHash(io.namespace, io.framework), io.framework)),
            td(io.node),
            td(io.maintenance),
            td(io.startsInSeconds > 0 ? `${io.startsInSeconds}s` : 'started'),
            td(String(io.tasks)),
            td(io.phase),
            tdWrap(io.message ?? ''),
          ),
        ),
        'No inverse offers.',
      ),
    );
  },
};

const STATES = ['', 'staging', 'starting', 'running', 'finished', 'failed', 'killed', 'lost', 'error'];

const tasks = {
  title: 'Tasks',
  mount(root, _params, query) {
    this.filter = { state: query.get('state') ?? '', framework: query.get('framework') ?? '', node: query.get('node') ?? '' };
    this.offset = 0;
    const state = h(
      'select',
      { 'data-testid': 'task-state' },
      STATES.map((s) => h('option', { value: s, selected: s === this.filter.state }, s || 'any state')),
    );
    const fw = h('input', { type: 'search', placeholder: 'framework (ns/name)', value: this.filter.framework });
    const node = h('input', { type: 'search', placeholder: 'node', value: this.filter.node });
    const set = () => {
      this.filter = { state: state.value, framework: fw.value.trim(), node: node.value.trim() };
      this.offset = 0;
      refresh();
    };
    for (const el of [state, fw, node]) el.addEventListener('change', set);
    this.info = h('span', { className: 'muted' });
    this.body = h('div', {});
    root.append(h('h1', {}, 'Tasks'), h('div', { className: 'controls' }, state, fw, node, ...pager(this), this.info), this.body);
  },
  url() {
    const p = new URLSearchParams({ offset: String(this.offset), limit: String(PAGE) });
    for (const [k, v] of Object.entries(this.filter)) if (v) p.set(k, v);
    return `/api/v1/tasks?${p}`;
  },
  update(d) {
    this.matched = d.total;
    this.info.textContent = `${d.total === 0 ? 0 : d.offset + 1}–${d.offset + d.rows.length} of ${d.total}`;
    this.body.replaceChildren(taskTable(d.rows, true));
  },
};

// ---- routing and live refresh -------------------------------------------------------------

const ROUTES = [
  [/^\/?$/, overview, 'overview'],
  [/^\/frameworks$/, frameworks, 'frameworks'],
  [/^\/frameworks\/([^/]+)\/([^/]+)$/, framework, 'frameworks'],
  [/^\/pods\/([^/]+)\/([^/]+)$/, pod, 'tasks'],
  [/^\/roles$/, roles, 'roles'],
  [/^\/nodes$/, nodes, 'nodes'],
  [/^\/offers$/, offers, 'offers'],
  [/^\/tasks$/, tasks, 'tasks'],
];

let current; // { page, seq }
let fetching = false;
let again = false;
let navSeq = 0;

function route() {
  const raw = location.hash.replace(/^#/, '') || '/';
  const [path, search] = raw.split('?');
  for (const [re, page, nav] of ROUTES) {
    const m = re.exec(path);
    if (m === null) continue;
    document.querySelectorAll('#nav a').forEach((a) => a.classList.toggle('active', a.getAttribute('data-page') === nav));
    view.replaceChildren();
    page.mount(view, m.slice(1).map(decodeURIComponent), new URLSearchParams(search ?? ''));
    document.title = `${page.title} · Agora`;
    current = { page, seq: ++navSeq };
    refresh();
    return;
  }
  view.replaceChildren(h('h1', {}, 'Not found'), h('p', {}, link('#/', 'Overview')));
  current = undefined;
}

async function refresh() {
  if (current === undefined) return;
  if (fetching) {
    again = true;
    return;
  }
  fetching = true;
  const { page, seq } = current;
  try {
    const data = await getJSON(page.url());
    if (current !== undefined && current.seq === seq) {
      view.querySelector('.error')?.remove();
      page.update(data);
      document.body.setAttribute('data-rendered', page.title);
      if (!performance.getEntriesByName('agora:first-render').length) performance.mark('agora:first-render');
    }
  } catch (err) {
    if (current !== undefined && current.seq === seq && view.querySelector('.error') === null)
      view.prepend(h('p', { className: 'error' }, String(err.message ?? err)));
  } finally {
    fetching = false;
  }
  if (again) {
    again = false;
    refresh();
  }
}

function connect() {
  const es = new EventSource('/api/v1/watch');
  es.addEventListener('change', (e) => {
    const up = e.data !== 'unavailable';
    live.textContent = up ? 'live' : 'controller not leading';
    live.classList.toggle('on', up);
    // A standby's API answers 503 naming the leader: fetching shows that on the page.
    refresh();
  });
  es.addEventListener('error', () => {
    live.textContent = 'reconnecting…';
    live.classList.remove('on');
  });
}

window.addEventListener('hashchange', route);
route();
connect();
