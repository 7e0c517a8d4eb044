// An account on its own: jumps to its cluster when it has one (the graph is the better view).
import { api } from '../api.js';
import type { Page } from '../main.js';
import type { AccountDetail } from '../types.js';
import { clear, errorBox, h, loading } from '../ui.js';
import { renderAccountPanel } from './account-panel.js';

export function accountPage(root: HTMLElement, accountId: string): Page {
  clear(root, loading());
  let close: (() => void) | undefined;
  (async () => {
    try {
      const d = await api<AccountDetail>(`/v1/accounts/${encodeURIComponent(accountId)}`);
      if (d.clusterId) {
        location.replace(`#/clusters/${d.clusterId}?account=${encodeURIComponent(accountId)}`);
        return;
      }
      const panel = h('section', { class: 'panel wide' });
      clear(root, panel);
      close = renderAccountPanel(panel, accountId);
    } catch (err) {
      clear(root, errorBox(err));
    }
  })();
  return { dispose: () => close?.() };
}
