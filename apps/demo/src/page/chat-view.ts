import type { RoomMessage } from '@roomgate/client';
import { ROOM_ID_PATTERN, USER_ID_PATTERN } from '@roomgate/protocol/ids';
import type { Status } from './connection-status.ts';

export interface ChatView {
  readJoin(): { room: string; user: string };
  setJoin(room: string, user: string): void;
  onJoin(handler: (room: string, user: string) => void): void;
  onSend(handler: (text: string) => void): void;
  showStatus(status: Status): void;
  showNotice(notice: Status['notice']): void;
  setTitle(room: string, user: string): void;
  /** Who is in the room (sorted user ids); an empty list hides the line. */
  showMembers(members: readonly string[]): void;
  appendMessage(message: RoomMessage, self: boolean): void;
  appendSystem(text: string): void;
  clearMessages(): void;
  setComposerEnabled(enabled: boolean): void;
  restoreDraft(text: string): void;
}

/** All DOM access for the page lives here; elements are found by their `data-testid`. */
export function createChatView(doc: Document): ChatView {
  const el = <T extends HTMLElement>(id: string) => {
    const found = doc.querySelector<T>(`[data-testid="${id}"]`);
    if (!found) throw new Error(`missing element data-testid=${id}`);
    return found;
  };
  const joinForm = el<HTMLFormElement>('join-form');
  const room = el<HTMLInputElement>('room');
  const user = el<HTMLInputElement>('user');
  const state = el('state');
  const stateLabel = state.querySelector('.status-label') ?? state;
  const notice = el('notice');
  const title = el('title');
  const membersLine = el('members');
  const messages = el<HTMLUListElement>('messages');
  const composer = el<HTMLFormElement>('composer');
  const input = el<HTMLInputElement>('input');
  const send = el<HTMLButtonElement>('send');

  const scrollToEndIfNear = (append: () => void) => {
    const scroller = messages.parentElement ?? messages;
    const nearEnd = scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 80;
    append();
    if (nearEnd) scroller.scrollTop = scroller.scrollHeight;
  };

  return {
    readJoin: () => ({ room: room.value.trim(), user: user.value.trim() }),
    setJoin(roomValue, userValue) {
      room.value = roomValue;
      user.value = userValue;
    },
    onJoin(handler) {
      joinForm.addEventListener('submit', (event) => {
        event.preventDefault();
        const values = { room: room.value.trim(), user: user.value.trim() };
        room.setCustomValidity(ROOM_ID_PATTERN.test(values.room) ? '' : 'Letters, digits and _ . : - only (up to 128)');
        user.setCustomValidity(USER_ID_PATTERN.test(values.user) ? '' : 'Letters, digits and _ . : @ - only (up to 128)');
        if (!joinForm.reportValidity()) return;
        handler(values.room, values.user);
      });
    },
    onSend(handler) {
      composer.addEventListener('submit', (event) => {
        event.preventDefault();
        const text = input.value.trim();
        if (text === '' || send.disabled) return;
        input.value = '';
        handler(text);
      });
    },
    showStatus(status) {
      state.dataset.state = status.kind;
      stateLabel.textContent = status.label;
    },
    showNotice(value) {
      notice.hidden = value === undefined;
      notice.textContent = value?.text ?? '';
      notice.dataset.tone = value?.tone ?? '';
    },
    setTitle(roomValue, userValue) {
      title.textContent = `#${roomValue}`;
      title.title = `you are ${userValue}`;
      doc.title = `#${roomValue} · roomgate demo`;
    },
    showMembers(members) {
      membersLine.hidden = members.length === 0;
      membersLine.textContent = members.length === 0 ? '' : `In the room: ${members.join(', ')}`;
    },
    appendMessage(message, self) {
      // Messages without `from` come from a backend through the Rooms API, not from a member.
      const sender = message.from ?? 'server';
      const item = doc.createElement('li');
      item.className = self ? 'message mine' : 'message';
      item.dataset.testid = 'message';
      item.dataset.from = sender;

      const avatar = doc.createElement('span');
      avatar.className = 'avatar';
      avatar.textContent = sender.slice(0, 1).toUpperCase();
      avatar.style.setProperty('--hue', String(hueOf(sender)));
      avatar.setAttribute('aria-hidden', 'true');

      const bubble = doc.createElement('div');
      bubble.className = 'bubble';
      const meta = doc.createElement('div');
      meta.className = 'meta';
      const name = doc.createElement('span');
      name.className = 'sender';
      name.textContent = self ? `${sender} (you)` : sender;
      const time = doc.createElement('time');
      const sentAt = new Date(message.sentAt * 1000);
      time.dateTime = sentAt.toISOString();
      time.textContent = sentAt.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
      meta.append(name, time);
      const text = doc.createElement('p');
      text.className = 'text';
      text.textContent = textOf(message.data);
      bubble.append(meta, text);

      item.append(avatar, bubble);
      scrollToEndIfNear(() => messages.append(item));
    },
    appendSystem(text) {
      const item = doc.createElement('li');
      item.className = 'system';
      item.dataset.testid = 'system';
      item.textContent = text;
      scrollToEndIfNear(() => messages.append(item));
    },
    clearMessages() {
      messages.replaceChildren();
    },
    setComposerEnabled(enabled) {
      input.disabled = !enabled;
      send.disabled = !enabled;
      if (enabled && doc.activeElement === doc.body) input.focus();
    },
    restoreDraft(text) {
      if (input.value === '') input.value = text;
    },
  };
}

/** Messages from this page are `{text}`; anything else another client sent is shown as JSON. */
function textOf(data: unknown): string {
  if (typeof data === 'object' && data !== null && typeof (data as { text?: unknown }).text === 'string') return (data as { text: string }).text;
  return typeof data === 'string' ? data : JSON.stringify(data);
}

/** A stable colour per sender, so a conversation is easy to follow. */
function hueOf(name: string): number {
  let hash = 0;
  for (const char of name) hash = (hash * 31 + char.codePointAt(0)!) % 360;
  return hash;
}
