/**
 * What a room token may grant (its `cap` claim), checked by the socket service per connection:
 * - `subscribe`: join the room and receive its messages (every socket needs it);
 * - `publish`: send messages to the room;
 * - `presence`: receive `presence` frames when other members join or leave, and ask for the
 *   member list (`{"action":"members"}`); docs/architecture.md, "Presence".
 */
export const CAPABILITIES = ['subscribe', 'publish', 'presence'] as const;
export type Capability = (typeof CAPABILITIES)[number];

/**
 * What a token without `cap` grants, and what the token API issues when the request names none.
 * `presence` is asked for explicitly: it costs a fan-out per join and leave, and it shows who else
 * is in the room, which not every room wants every member to see.
 */
export const DEFAULT_CAPABILITIES: readonly Capability[] = ['subscribe', 'publish'];
