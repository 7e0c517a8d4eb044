// acctnet console: hash routes, one page at a time. Served by the API at /ui.
import { ApiError, api, session } from './api.js';
import { h, clear, errorBox } from './ui.js';
import { loginPage } from './pages/login.js';
import { clustersPage } from './pages/clusters.js';
import { clusterPage } from './pages/cluster.js';
import { accountPage } from './pages/account.js';
import { blacklistPage } from './pages/blacklist.js';
import { runsPage } from './pages/runs.js';
import { successorsPage } from './pages/successors.js';

export interface Page {
  /** Stops timers, layouts and WebGL when the page is left. */
  dispose?: () => void;
}

const app = document.getElementById('app')!;
let current: Page | undefined;
let me: { name: string; role: string } | null = null;

function nav(): HTMLElement {
  const link = (href: string, text: string) => h('a', { href, 'aria-current': location.hash.startsWith(href) ? 'page' : undefined, text });
  return h(
    'header',
    { class: 'top' },
    h('a', { class: 'brand', href: '#/clusters', text: 'acctnet' }),
    h('nav', { 'aria-label': 'Main' }, link('#/clusters', 'Clusters'), link('#/blacklist', 'Blacklist'), link('#/successors', 'Successors'), link('#/runs', 'Runs')),
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
  switch (parts[0]) {
    case 'clusters':
      current = parts[1] ? clusterPage(main, parts[1], params.get('account')) : clustersPage(main, params);
      break;
    case 'accounts':
      current = accountPage(main, parts[1] ?? '');
      break;
    case 'blacklist':
      current = blacklistPage(main);
      break;
    case 'runs':
      current = runsPage(main);
      break;
    case 'successors':
      current = successorsPage(main);
      break;
    default:
      location.hash = '#/clusters';
  }
  main.focus();
}

window.addEventListener('hashchange', () => void route());
void route();
