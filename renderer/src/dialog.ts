/**
 * Modal dialogs on the native <dialog> element: it traps focus, closes on Escape and
 * returns focus to where it was, which a hand-made overlay would all have to redo.
 */
import { h, type Child } from './dom.js';

export interface Dialog {
  element: HTMLDialogElement;
  close(): void;
}

/** Opens a modal with `content`; it removes itself from the page once closed. */
export function openDialog(title: string, ...content: Child[]): Dialog {
  const titleId = `dialog-${Math.random().toString(36).slice(2)}`;
  const element = h(
    'dialog',
    { class: 'dialog', 'aria-labelledby': titleId },
    h('h2', { id: titleId }, title),
    content,
  );
  element.addEventListener('close', () => element.remove());
  document.body.append(element);
  element.showModal();
  return { element, close: () => element.close() };
}

/** Asks before something that cannot be undone; resolves true if the user goes ahead. */
export function confirmAction(o: {
  title: string;
  text: string;
  confirm: string;
  danger?: boolean;
}): Promise<boolean> {
  return new Promise((resolve) => {
    let answer = false;
    const yes = h(
      'button',
      {
        type: 'button',
        class: o.danger ? 'button button-danger' : 'button button-primary',
        on: {
          click: () => {
            answer = true;
            dialog.close();
          },
        },
      },
      o.confirm,
    );
    const dialog = openDialog(
      o.title,
      h('p', null, o.text),
      h(
        'div',
        { class: 'actions' },
        h(
          'button',
          { type: 'button', class: 'button', on: { click: () => dialog.close() } },
          'Cancel',
        ),
        yes,
      ),
    );
    dialog.element.addEventListener('close', () => resolve(answer));
    yes.focus();
  });
}
