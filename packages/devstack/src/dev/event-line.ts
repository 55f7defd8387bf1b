import type { ReceivedEvent } from '@roomgate/local-aws';

/**
 * How `pnpm dev --events` prints one lifecycle event: its detail-type, then its detail as one
 * line of JSON (`roomgate.connection.opened {"stage":"local","roomId":"lobby",…}`), so a developer
 * sees what a backend's EventBridge rule would receive.
 */
export function formatEventLine(event: Pick<ReceivedEvent, 'detailType' | 'detail'>): string {
  return `${event.detailType} ${JSON.stringify(event.detail)}`;
}
