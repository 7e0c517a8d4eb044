import { api, session } from '../api.js';
import { h, clear } from '../ui.js';
import type { Page } from '../main.js';

export function loginPage(root: HTMLElement, expired: boolean): Page {
  const input = h('input', { id: 'key', type: 'password', autocomplete: 'off', required: true, 'aria-describedby': 'key-help', size: 60 });
  const message = h('p', {
    role: 'alert',
    class: expired ? 'state error' : 'state',
    text: expired ? 'Your API key was rejected (revoked or unknown): sign in again.' : '',
  });
  const form = h(
    'form',
    { class: 'login', 'aria-label': 'Sign in' },
    h('h1', { text: 'acctnet console' }),
    h('label', { for: 'key', text: 'API key' }),
    input,
    h('p', { id: 'key-help', class: 'hint', text: 'An investigator or admin key (npx acctnet keys create). It is kept in this tab only.' }),
    h('button', { type: 'submit', text: 'Sign in' }),
    message,
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const key = input.value.trim();
    message.className = 'state';
    message.textContent = 'Checking…';
    try {
      const me = await api<{ role: string }>('/v1/me', { key });
      if (me.role !== 'investigator' && me.role !== 'admin')
        throw new Error(`This key's role (${me.role}) cannot use the console: use an investigator or admin key.`);
      session.set(key);
      location.hash = '#/clusters';
    } catch (err) {
      message.className = 'state error';
      message.textContent = (err as Error).message;
    }
  });
  clear(root, form);
  input.focus();
  return {};
}
