import { createRoomClient, type RoomClient } from '@roomgate/client';
import { createChatView } from './chat-view.ts';
import { describeRecovery, describeStatus } from './connection-status.ts';
import { makeTokenSource } from './token-source.ts';

/**
 * The demo chat: room and name from `?room=…&user=…` (or the form), a token from the demo
 * backend (which holds the API key), and @roomgate/client for connecting, pinging, refreshing
 * and reconnecting. The conversation stays across reconnects: the client replays what the room
 * published meanwhile, so only a new join clears the list.
 */
const view = createChatView(document);
let client: RoomClient | undefined;
let me = '';
/** Who is in the room: the `members` list on each open, then presence joins and leaves. */
let present = new Set<string>();
const showPresent = () => view.showMembers([...present].sort());

function join(room: string, user: string): void {
  client?.close();
  me = user;
  view.clearMessages();
  present = new Set();
  showPresent();
  view.setTitle(room, user);
  view.showNotice(undefined);
  const url = new URL(location.href);
  url.searchParams.set('room', room);
  url.searchParams.set('user', user);
  history.replaceState(null, '', url);

  const current = createRoomClient({ getToken: makeTokenSource({ roomId: room, userId: user }), roomId: room });
  client = current;
  current.on('state', (change) => {
    if (client !== current) return;
    const status = describeStatus(change);
    view.showStatus(status);
    view.showNotice(status.notice);
    view.setComposerEnabled(change.state === 'open');
    if (change.state === 'open') view.appendSystem(change.previous === 'connecting' ? `Joined #${room} as ${user}` : 'Reconnected');
    if (change.state === 'open') {
      current
        .members()
        .then((list) => {
          if (client !== current) return;
          present = new Set(list.members);
          showPresent();
        })
        .catch((error: Error) => console.info('[roomgate] members', error.message));
    }
    if (change.state === 'reconnecting' && change.previous === 'open' && change.error) view.appendSystem('Connection lost — reconnecting…');
  });
  current.on('message', (message) => view.appendMessage(message, message.from === me));
  current.on('presence', (event) => {
    if (client !== current || event.userId === undefined) return;
    if (event.event === 'join') present.add(event.userId);
    else present.delete(event.userId);
    showPresent();
    view.appendSystem(`${event.userId} ${event.event === 'join' ? 'joined' : 'left'}`);
  });
  current.on('recovery', (event) => {
    if (client !== current) return;
    const notice = describeRecovery(event);
    if (!notice) return;
    view.showNotice(notice);
    view.appendSystem(notice.text);
  });
  current.on('error', (error) => console.info('[roomgate]', error.code, error.message));
  current.connect().catch(() => undefined); // failures are shown through the state events
}

view.onJoin(join);
view.onSend((text) => {
  client?.publish({ text }).catch((error: Error & { code?: string }) => {
    view.restoreDraft(text);
    view.showNotice({ tone: 'warn', text: `Not sent: ${error.message}${error.code ? ` (${error.code})` : ''}` });
  });
});

const params = new URLSearchParams(location.search);
const room = params.get('room') ?? '';
const user = params.get('user') ?? '';
view.setJoin(room || 'lobby', user);
if (room && user) join(room, user);
