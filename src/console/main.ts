// acctnet console: hash routes, one page at a time. Served by the API at /ui.
import { ApiError, api, session } from './api.js';
import { h, clear, errorBox } from './ui.js';
import { loginPage } from './pages/login.js';
import { clustersPage } from './pages/clusters.js';
import { clusterPage } from './pages/cluster.js';
import { accountPage } from './pages/account.js';
import { blacklistPage } from './pages/blacklist.js';
import { runsPage } from './pages/runs.js';
import { findPage } from './pages/find.js';
import { pathsPage } from './pages/paths.js';
import { reviewPage } from './pages/review.js';
import { searchBox } from './search.js';
import { successorsPage } from './pages/successors.js';

export interface Page {
  /** Stops timers, layouts and WebGL when the page is left. */
  dispose?: () => void;
}

const app = document.getElementById('app')!;
let current: Page | undefined;
let me: { name: string; role: string } | null = null;

/**
 * The pages: the header's links and the router read this one table, so a new page is one line here
 * (plus its file under pages/). `nav: false` pages are reached from other pages only.
 */
interface Route {
  path: string;
  title: string;
  nav: boolean;
  open: (main: HTMLElement, parts: string[], params: URLSearchParams) => Page;
}

const ROUTES: Route[] = [
  {
    path: 'clusters',
    title: 'Clusters',
    nav: true,
    open: (main, parts, params) => (parts[1] ? clusterPage(main, parts[1], params.get('account')) : clustersPage(main, params)),
  },
  { path: 'review', title: 'Review', nav: true, open: (main) => reviewPage(main) },
  { path: 'successors', title: 'Successors', nav: true, open: (main) => successorsPage(main) },
  { path: 'find', title: 'Find list', nav: true, open: (main) => findPage(main) },
  { path: 'blacklist', title: 'Blacklist', nav: true, open: (main) => blacklistPage(main) },
  { path: 'runs', title: 'Runs', nav: true, open: (main) => runsPage(main) },
  { path: 'accounts', title: 'Account', nav: false, open: (main, parts) => accountPage(main, parts[1] ?? '') },
  { path: 'paths', title: 'Money paths', nav: false, open: (main, _parts, params) => pathsPage(main, params) },
];

function nav(): HTMLElement {
  const link = (href: string, text: string) => h('a', { href, 'aria-current': location.hash.startsWith(href) ? 'page' : undefined, text });
  return h(
    'header',
    { class: 'top' },
    h('a', { class: 'brand', href: '#/clusters', text: 'acctnet' }),
    h('nav', { 'aria-label': 'Main' }, ...ROUTES.filter((r) => r.nav).map((r) => link(`#/${r.path}`, r.title))),
    searchBox(),
    h(
      'span',
      { class: 'who' },
      me ? `${me.name} (${me.role})` : '',
      h('button', {
        type: 'button',
        class: 'link',
        text: 'Sign out',
        on: {
          click: () => {
            session.clear();
            me = null;
            location.hash = '#/login';
          },
        },
      }),
    ),
  );
}

async function route(): Promise<void> {
  current?.dispose?.();
  current = undefined;
  const [path, query = ''] = location.hash.replace(/^#/, '').split('?');
  const params = new URLSearchParams(query);
  const parts = (path || '/clusters').split('/').filter(Boolean).map(decodeURIComponent);
  if (parts[0] === 'login' || !session.key()) {
    me = null;
    clear(app);
    current = loginPage(app, params.get('expired') === '1');
    return;
  }
  if (!me) {
    try {
      me = await api<{ name: string; role: string }>('/v1/me');
    } catch (err) {
      if (!(err instanceof ApiError && err.status === 401)) clear(app, errorBox(err));
      return;
    }
  }
  const main = h('main', { id: 'main', tabindex: '-1' });
  clear(app, nav(), main);
  const page = ROUTES.find((r) => r.path === parts[0]);
  if (!page) {
    location.hash = '#/clusters';
    return;
  }
  current = page.open(main, parts, params);
  main.focus();
}

window.addEventListener('hashchange', () => void route());
void route();
