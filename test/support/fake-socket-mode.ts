import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import type { FakeSlack } from './fake-slack';

/**
 * Slack's Socket Mode endpoint on loopback: greets a client with `hello`, delivers envelopes, and
 * collects the acks the client sends back (with their response payloads).
 */
export class FakeSocketMode {
  private server: WebSocketServer | null = null;
  private socket: WebSocket | null = null;
  private seq = 0;
  readonly acks = new Map<string, unknown>();

  constructor(private readonly slack: FakeSlack) {}

  async start(): Promise<this> {
    this.server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((r) => this.server!.once('listening', () => r()));
    this.slack.socketUrl = `ws://127.0.0.1:${(this.server.address() as AddressInfo).port}/link`;
    this.server.on('connection', (ws) => {
      this.socket = ws;
      ws.on('message', (data) => {
        const msg = JSON.parse(String(data)) as { envelope_id?: string; payload?: unknown };
        if (msg.envelope_id) this.acks.set(msg.envelope_id, msg.payload ?? null);
      });
      ws.send(JSON.stringify({ type: 'hello', num_connections: 1, debug_info: { host: 'fake' }, connection_info: { app_id: 'A0TEST' } }));
    });
    return this;
  }

  get connected(): boolean {
    return this.socket !== null;
  }

  /** Sends an envelope as Slack would and returns its id. */
  send(type: 'slash_commands' | 'interactive', payload: Record<string, unknown>): string {
    if (!this.socket) throw new Error('no Socket Mode client is connected');
    const id = `env-${++this.seq}`;
    this.socket.send(JSON.stringify({ envelope_id: id, type, payload, accepts_response_payload: type === 'slash_commands' }));
    return id;
  }

  async stop(): Promise<void> {
    for (const c of this.server?.clients ?? []) c.terminate();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }
}
