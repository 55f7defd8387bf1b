/**
 * The parts of API Gateway's WebSocket Lambda proxy events this service reads (the full types
 * live in @types/aws-lambda; these keep the handlers honest about what they depend on).
 */
export interface WebSocketRequestContext {
  connectionId: string;
  routeKey?: string;
  eventType?: 'CONNECT' | 'DISCONNECT' | 'MESSAGE';
  requestId?: string;
  connectedAt?: number;
}

export interface WebSocketConnectEvent {
  requestContext: WebSocketRequestContext;
  headers?: Record<string, string | undefined> | null;
  multiValueHeaders?: Record<string, string[] | undefined> | null;
  queryStringParameters?: Record<string, string | undefined> | null;
  /** Every value of a repeated parameter; `queryStringParameters` holds only the last one. */
  multiValueQueryStringParameters?: Record<string, string[] | undefined> | null;
}

export interface WebSocketMessageEvent {
  requestContext: WebSocketRequestContext;
  body?: string | null;
  isBase64Encoded?: boolean;
}

export interface WebSocketResult {
  statusCode: number;
  headers?: Record<string, string>;
  body?: string;
}
